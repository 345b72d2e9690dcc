-- Names found by any of their words ("aminah" finds "Siti Aminah"), not only by their start:
-- a trigram index, from pg_trgm in the `extensions` schema the provisioning creates.
DROP INDEX certificates_name;
CREATE INDEX certificates_name_words ON certificates USING gin (lower(name) extensions.gin_trgm_ops);
