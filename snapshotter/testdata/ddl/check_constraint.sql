CREATE TABLE `check_constraint` (
  `id` int(11) NOT NULL,
  `qty` int(11) NOT NULL CHECK (`qty` >= 0),
  `lo` int(11) DEFAULT NULL,
  `hi` int(11) DEFAULT NULL,
  `tag` varchar(20) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `lo` (`lo`),
  KEY `hi` (`hi`),
  CONSTRAINT `lo_le_hi` CHECK (`lo` <= `hi`),
  CONSTRAINT `tag_text` CHECK (`tag` <> 'KEY (x)')
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci
