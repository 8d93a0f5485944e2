-- What each replica saw of each proxy's xDS streams (Kuma's DataplaneInsight subscriptions, as
-- JSON), so the REST API of any replica shows proxies held by any other. One row per proxy and
-- replica: a replica only ever writes its own rows, so replicas never contend on a row.
CREATE TABLE dataplane_insights (
  node_id    text        NOT NULL,
  replica    text        NOT NULL,
  insight    jsonb       NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (node_id, replica)
);
