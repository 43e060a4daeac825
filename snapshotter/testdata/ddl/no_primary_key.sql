CREATE TABLE `no_primary_key` (
  `a` int(11) NOT NULL,
  `b` varchar(20) DEFAULT NULL,
  `c` int(11) DEFAULT NULL,
  UNIQUE KEY `a` (`a`),
  KEY `b` (`b`),
  KEY `cb` (`c`,`b`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci
