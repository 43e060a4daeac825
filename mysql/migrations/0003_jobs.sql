-- Background jobs (exports, templates), shared by every server replica:
-- workers claim them with SELECT … FOR UPDATE SKIP LOCKED and hold a lease
-- (worker, lease_until) renewed by heartbeat; another replica takes a job
-- over once its lease has run out. param_key is the hex SHA-256 of
-- "owner|Params.Key(kind)": asking again for the same export replaces the
-- active job with that key (replaced_by names the new one).
CREATE TABLE IF NOT EXISTS jobs (
  id               BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  owner            VARCHAR(255)    NOT NULL,
  kind             VARCHAR(16)     NOT NULL,
  params           TEXT            NOT NULL,
  param_key        CHAR(64)        CHARACTER SET ascii NOT NULL,
  status           VARCHAR(16)     NOT NULL,
  created_at       DATETIME(6)     NOT NULL,
  started_at       DATETIME(6)     NULL,
  finished_at      DATETIME(6)     NULL,
  rows_done        BIGINT          NOT NULL DEFAULT 0,
  rows_total       BIGINT          NOT NULL DEFAULT 0,
  errors           BIGINT          NOT NULL DEFAULT 0,
  error            TEXT            NULL,
  file             VARCHAR(255)    NOT NULL DEFAULT '',
  bytes            BIGINT          NOT NULL DEFAULT 0,
  replaced_by      BIGINT UNSIGNED NOT NULL DEFAULT 0,
  cancel_requested TINYINT(1)      NOT NULL DEFAULT 0,
  seen             TINYINT(1)      NOT NULL DEFAULT 0,
  worker           VARCHAR(255)    NOT NULL DEFAULT '',
  lease_until      DATETIME(6)     NULL,
  KEY by_status (status, created_at),
  KEY by_owner (owner, id),
  KEY by_key (param_key),
  KEY by_created (created_at),
  KEY by_lease (status, lease_until)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
