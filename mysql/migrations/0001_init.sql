-- Generation pointers: one row per weekday, switched in one transaction.
CREATE TABLE IF NOT EXISTS generations (
  day         CHAR(3)      NOT NULL PRIMARY KEY,
  slot        VARCHAR(64)  NULL,
  snapshot_at DATETIME(6)  NULL,
  switched_at DATETIME(6)  NULL,
  verified_at DATETIME(6)  NULL,
  manifest    LONGTEXT     NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Every snapshot run, its live progress and its outcome.
CREATE TABLE IF NOT EXISTS snapshot_runs (
  id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  day          CHAR(3)         NOT NULL,
  slot         VARCHAR(64)     NOT NULL,
  host         VARCHAR(255)    NOT NULL DEFAULT '',
  pid          INT             NOT NULL DEFAULT 0,
  started_at   DATETIME(6)     NOT NULL,
  ended_at     DATETIME(6)     NULL,
  status       VARCHAR(16)     NOT NULL,
  mode         VARCHAR(16)     NOT NULL DEFAULT '',
  binlog_file  VARCHAR(255)    NOT NULL DEFAULT '',
  binlog_pos   BIGINT UNSIGNED NOT NULL DEFAULT 0,
  gtid         TEXT            NULL,
  tables_total INT             NOT NULL DEFAULT 0,
  tables_done  INT             NOT NULL DEFAULT 0,
  rows_copied  BIGINT          NOT NULL DEFAULT 0,
  bytes_copied BIGINT          NOT NULL DEFAULT 0,
  error        TEXT            NULL,
  KEY day_started (day, started_at),
  KEY status (status)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Slots switched away from, dropped once their grace period is over.
CREATE TABLE IF NOT EXISTS retired_slots (
  slot       VARCHAR(64) NOT NULL PRIMARY KEY,
  day        CHAR(3)     NOT NULL,
  retired_at DATETIME(6) NOT NULL,
  drop_after DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
