-- Kodiak's resources and settings. Every row write takes a new revision from one sequence, and every
-- change is announced on the channel kodiak_resources (delivered in commit order, after commit), so
-- each control plane on this database keeps its in-memory copy current. The payload is
-- op <tab> revision <tab> type <tab> mesh <tab> name, op W (written) or D (deleted).
CREATE SEQUENCE resource_revision;

CREATE TABLE resources (
  type              text        NOT NULL,
  mesh              text        NOT NULL,
  name              text        NOT NULL,
  version           bigint      NOT NULL,
  creation_time     timestamptz NOT NULL,
  modification_time timestamptz NOT NULL,
  labels            text        NOT NULL,
  spec              text        NOT NULL,
  revision          bigint      NOT NULL DEFAULT nextval('resource_revision'),
  PRIMARY KEY (type, mesh, name)
);

CREATE INDEX resources_by_mesh ON resources (mesh);

CREATE TABLE settings (
  key   text PRIMARY KEY,
  value text NOT NULL
);

CREATE FUNCTION resources_new_revision() RETURNS trigger AS $$
BEGIN
  NEW.revision := nextval('resource_revision');
  RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER resources_revision BEFORE UPDATE ON resources
  FOR EACH ROW EXECUTE FUNCTION resources_new_revision();

CREATE FUNCTION resources_announce() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('kodiak_resources', concat_ws(E'\t', 'D', nextval('resource_revision'), OLD.type, OLD.mesh, OLD.name));
    RETURN OLD;
  END IF;
  PERFORM pg_notify('kodiak_resources', concat_ws(E'\t', 'W', NEW.revision, NEW.type, NEW.mesh, NEW.name));
  RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER resources_announce AFTER INSERT OR UPDATE OR DELETE ON resources
  FOR EACH ROW EXECUTE FUNCTION resources_announce();
