// Batch admin steps for the test broker in one JVM (kafka-configs + kafka-acls cost ~2.5 s
// of JVM start each). Compiled and run by diklat/stack/apache_kafka.py.
//
// Usage: StackAdmin <bootstrap> <client.properties> ACTION...
//   scram <user> <password>                 SCRAM-SHA-256 and SCRAM-SHA-512 credentials
//   acl <user> TOPIC|GROUP <prefix> <OP,OP> ALLOW ops on a PREFIXED resource pattern
//   acl-literal <user> TOPIC|GROUP <name> <OP,OP>  the same on one exact (LITERAL) name
// Returns once the broker itself reports the credentials/ACLs (not just the controller).

import java.io.FileReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.admin.UserScramCredentialsDescription;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

public final class StackAdmin {
    private static final long DEADLINE_MS = 30_000;

    public static void main(String[] args) throws Exception {
        Properties props = new Properties();
        try (FileReader reader = new FileReader(args[1])) {
            props.load(reader);
        }
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);

        List<String> scramUsers = new ArrayList<>();
        List<UserScramCredentialUpsertion> upsertions = new ArrayList<>();
        List<AclBinding> bindings = new ArrayList<>();
        for (int i = 2; i < args.length; ) {
            switch (args[i]) {
                case "scram" -> {
                    for (ScramMechanism mechanism :
                            new ScramMechanism[] {ScramMechanism.SCRAM_SHA_256, ScramMechanism.SCRAM_SHA_512}) {
                        upsertions.add(new UserScramCredentialUpsertion(
                                args[i + 1], new ScramCredentialInfo(mechanism, 4096), args[i + 2]));
                    }
                    scramUsers.add(args[i + 1]);
                    i += 3;
                }
                case "acl", "acl-literal" -> {
                    PatternType type = args[i].equals("acl") ? PatternType.PREFIXED : PatternType.LITERAL;
                    ResourcePattern pattern = new ResourcePattern(
                            ResourceType.fromString(args[i + 2]), args[i + 3], type);
                    for (String op : args[i + 4].split(",")) {
                        bindings.add(new AclBinding(pattern, new AccessControlEntry(
                                "User:" + args[i + 1], "*", AclOperation.fromString(op), AclPermissionType.ALLOW)));
                    }
                    i += 5;
                }
                default -> throw new IllegalArgumentException("unknown action " + args[i]);
            }
        }

        try (Admin admin = Admin.create(props)) {
            // One request per credential: the broker refuses two alterations of the same
            // user in a single request (DuplicateResourceException).
            for (UserScramCredentialUpsertion upsertion : upsertions) {
                admin.alterUserScramCredentials(List.of(upsertion)).all().get(DEADLINE_MS, TimeUnit.MILLISECONDS);
            }
            if (!bindings.isEmpty()) {
                admin.createAcls(bindings).all().get(DEADLINE_MS, TimeUnit.MILLISECONDS);
            }
            long deadline = System.currentTimeMillis() + DEADLINE_MS;
            while (!visible(admin, scramUsers, bindings)) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("broker did not show the new credentials/ACLs in time");
                }
                Thread.sleep(50);
            }
        }
        System.out.println("ok");
    }

    // DescribeAcls and DescribeUserScramCredentials are answered from the broker's own
    // metadata image, so this confirms the change reached the authorizer/authenticator.
    private static boolean visible(Admin admin, List<String> users, List<AclBinding> bindings) throws Exception {
        if (!users.isEmpty()) {
            Map<String, UserScramCredentialsDescription> descriptions;
            try {
                descriptions = admin.describeUserScramCredentials(users).all().get(DEADLINE_MS, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                return false; // ResourceNotFoundException until the user reaches the broker
            }
            for (String user : users) {
                UserScramCredentialsDescription description = descriptions.get(user);
                if (description == null || description.credentialInfos().size() < 2) {
                    return false;
                }
            }
        }
        for (AclBinding binding : bindings) {
            if (admin.describeAcls(binding.toFilter()).values().get(DEADLINE_MS, TimeUnit.MILLISECONDS).isEmpty()) {
                return false;
            }
        }
        return true;
    }
}
