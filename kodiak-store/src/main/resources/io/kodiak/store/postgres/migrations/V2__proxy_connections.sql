-- Which control-plane replica holds each connected proxy's stream. A row outlives a replica that
-- was killed; a replica counts as alive while its leader-election session is open (its
-- application_name is 'kodiak-cp-leader <replica>'), so a dead replica's rows are ignored.
CREATE TABLE proxy_connections (
  node_id text        PRIMARY KEY,
  replica text        NOT NULL,
  since   timestamptz NOT NULL DEFAULT now()
);
