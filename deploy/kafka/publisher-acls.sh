#!/bin/sh
# Onboard a publisher on the compose broker: SCRAM user `publisher-<id>` and its ACLs.
# Run inside the kafka container over the INTERNAL listener (the anonymous super user):
#   docker compose exec -e PUBLISHER_PASSWORD=... kafka sh /deploy/publisher-acls.sh 15
# or from a host with the jars: `diklat publishers add 15` with KAFKA_SASL_* = the admin.
# ACLs are LITERAL, not prefixed: `diklat.ingest.15` as a prefix would also match Kota
# Jambi's `diklat.ingest.15.71`. Topics come from `diklat publishers add` (no auto-create).
set -eu
id="${1:?publisher id, e.g. 15 or 35.23}"
: "${PUBLISHER_PASSWORD:?set PUBLISHER_PASSWORD}"
bootstrap="${BOOTSTRAP:-localhost:9092}"
bin="${KAFKA_BIN:-/opt/kafka/bin}"
user="publisher-${id}"

"$bin/kafka-configs.sh" --bootstrap-server "$bootstrap" --alter --entity-type users \
  --entity-name "$user" \
  --add-config "SCRAM-SHA-256=[password=${PUBLISHER_PASSWORD}],SCRAM-SHA-512=[password=${PUBLISHER_PASSWORD}]"
acl() {
  "$bin/kafka-acls.sh" --bootstrap-server "$bootstrap" --add --allow-principal "User:$user" \
    --resource-pattern-type literal "$@"
}
acl --operation Write --operation Describe --topic "diklat.ingest.${id}"
acl --operation Read --operation Describe --topic "diklat.feedback.${id}"
acl --operation Read --operation Describe --group "diklat.publisher.${id}"
