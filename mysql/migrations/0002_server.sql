-- Sessions revoked on logout, until they would have expired anyway.
CREATE TABLE IF NOT EXISTS revoked_sessions (
  jti        VARCHAR(64) NOT NULL PRIMARY KEY,
  expires_at DATETIME(6) NOT NULL,
  KEY expires (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=ascii;

-- Failed logins, shared by every server replica for throttling.
CREATE TABLE IF NOT EXISTS login_failures (
  id        BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  login     VARCHAR(255) NOT NULL,
  client    VARCHAR(64)  NOT NULL,
  failed_at DATETIME(6)  NOT NULL,
  KEY by_login (login, failed_at),
  KEY by_client (client, failed_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Who did what: logins, refused accesses, exports.
CREATE TABLE IF NOT EXISTS audit_log (
  id         BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  at         DATETIME(6)  NOT NULL,
  login      VARCHAR(255) NOT NULL DEFAULT '',
  client     VARCHAR(64)  NOT NULL DEFAULT '',
  action     VARCHAR(32)  NOT NULL,
  outcome    VARCHAR(16)  NOT NULL,
  day        CHAR(3)      NOT NULL DEFAULT '',
  table_name VARCHAR(64)  NOT NULL DEFAULT '',
  detail     TEXT         NULL,
  `rows`     BIGINT       NOT NULL DEFAULT 0,
  KEY at (at),
  KEY by_login (login, at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
