-- Login attempts counted per window, shared by every server replica: one
-- row per scope ('p' a login from one client, 'l' a login from any client
-- (client ''), 'c' a client for any login (login '')). Attempts are
-- reserved before the password is checked and released when it was right.
CREATE TABLE IF NOT EXISTS login_throttle (
  scope        CHAR(1)      CHARACTER SET ascii NOT NULL,
  login        VARCHAR(255) NOT NULL,
  client       VARCHAR(64)  NOT NULL,
  window_start DATETIME(6)  NOT NULL,
  attempts     INT          NOT NULL,
  last_at      DATETIME(6)  NOT NULL,
  PRIMARY KEY (scope, login, client),
  KEY by_last (last_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Failed logins were one row each; login_throttle counts them now.
DROP TABLE IF EXISTS login_failures;

-- Aggregated audit entries (throttled logins of one login and client in
-- one window): agg_key is the hex SHA-256 of the entry's key, attempts how
-- many times it happened.
ALTER TABLE audit_log
  ADD COLUMN IF NOT EXISTS attempts BIGINT NOT NULL DEFAULT 1,
  ADD COLUMN IF NOT EXISTS agg_key CHAR(64) CHARACTER SET ascii NULL,
  ADD UNIQUE KEY IF NOT EXISTS aggregate (agg_key);
