CREATE TABLE `we``ird tab` (
  `my id` int(11) NOT NULL,
  `col``tick` varchar(20) DEFAULT NULL,
  `KEY (x)` int(11) DEFAULT NULL,
  `parent id` int(11) DEFAULT NULL,
  PRIMARY KEY (`my id`),
  UNIQUE KEY `uni``que` (`KEY (x)`),
  KEY `key with space` (`col``tick`),
  KEY `p(` (`parent id`),
  CONSTRAINT `fk ``self`` ` FOREIGN KEY (`parent id`) REFERENCES `we``ird tab` (`my id`) ON DELETE CASCADE,
  CONSTRAINT `c`` FOREIGN KEY ``x` CHECK (`KEY (x)` > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci
