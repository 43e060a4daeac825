-- Leases: locks kept as rows, so that they hold across every node of a
-- multi-primary cluster (GET_LOCK locks one node only). A lease is taken
-- by inserting its row (or taking over a row whose expires_at passed),
-- renewed by its holder's heartbeat and deleted when released; a killed
-- holder's lease ends at expires_at. token identifies the taker; holder
-- says who it is (host, pid) for error messages. Also created before the
-- migration lease is taken (it guards the migrations), hence IF NOT EXISTS.
CREATE TABLE IF NOT EXISTS leases (
  name        VARCHAR(191) NOT NULL PRIMARY KEY,
  token       CHAR(32)     NOT NULL,
  holder      VARCHAR(255) NOT NULL,
  acquired_at DATETIME(6)  NOT NULL,
  expires_at  DATETIME(6)  NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
