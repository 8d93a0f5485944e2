-- A deletion is announced with the revision of the row it deleted, not a new one: a create of the
-- same key that was waiting on that row took its revision before the deletion did, and a newer
-- deletion revision would make replicas skip that created row as older than the deletion.
CREATE OR REPLACE FUNCTION resources_announce() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('kodiak_resources', concat_ws(E'\t', 'D', OLD.revision, OLD.type, OLD.mesh, OLD.name));
    RETURN OLD;
  END IF;
  PERFORM pg_notify('kodiak_resources', concat_ws(E'\t', 'W', NEW.revision, NEW.type, NEW.mesh, NEW.name));
  RETURN NEW;
END
$$ LANGUAGE plpgsql;
