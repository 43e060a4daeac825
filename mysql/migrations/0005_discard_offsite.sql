-- Discarded days, snapshot requests from the browser, off-site copies.
-- generations.discarded_*: a day discarded on purpose (its slot pointer is
-- cleared in the same transaction; the slot is dropped by the backup admin
-- account: `weekback discard`, the snapshotter daemon or the next snapshot).
ALTER TABLE generations
  ADD COLUMN IF NOT EXISTS discarded_at DATETIME(6) NULL,
  ADD COLUMN IF NOT EXISTS discarded_by VARCHAR(255) NOT NULL DEFAULT '',
  ADD COLUMN IF NOT EXISTS discard_reason TEXT NULL;

-- "Take a snapshot now" requests, written by the server, run by the
-- snapshotter daemon. pending_day is the day while the request waits and
-- NULL afterwards: its unique key keeps one pending request per day.
CREATE TABLE IF NOT EXISTS snapshot_requests (
  id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  day          CHAR(3)         NOT NULL,
  requested_by VARCHAR(255)    NOT NULL,
  requested_at DATETIME(6)     NOT NULL,
  status       VARCHAR(16)     NOT NULL,
  pending_day  CHAR(3)         NULL,
  started_at   DATETIME(6)     NULL,
  ended_at     DATETIME(6)     NULL,
  run_id       BIGINT UNSIGNED NOT NULL DEFAULT 0,
  error        TEXT            NULL,
  UNIQUE KEY one_pending (pending_day),
  KEY by_status (status, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- The off-site copy of a run's generation: copied or failed (with why).
ALTER TABLE snapshot_runs
  ADD COLUMN IF NOT EXISTS offsite_status VARCHAR(16)  NOT NULL DEFAULT '',
  ADD COLUMN IF NOT EXISTS offsite_name   VARCHAR(255) NOT NULL DEFAULT '',
  ADD COLUMN IF NOT EXISTS offsite_error  TEXT         NULL;
