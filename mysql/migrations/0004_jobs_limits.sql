-- Jobs hold what the server accepts and compare owners exactly.
-- params: a MEDIUMTEXT (16 MiB) holds every parameter text the server
-- accepts (jobs.MaxParamBytes, 1 MiB); with the strict sql_mode of the
-- meta connections a longer one is refused, never cut.
-- owner: bytes, so that the jobs of "Zed" are never listed to "zed" when
-- the application's login column tells them apart (a case-insensitive
-- collation would not).
-- error_bytes: the size of the job's error log, counted with bytes in the
-- owner's quota (exports.user_quota_bytes).
ALTER TABLE jobs
  MODIFY params MEDIUMTEXT NOT NULL,
  MODIFY owner VARBINARY(1020) NOT NULL,
  ADD COLUMN IF NOT EXISTS error_bytes BIGINT NOT NULL DEFAULT 0 AFTER bytes;
