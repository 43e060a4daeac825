CREATE TABLE `auto_increment_not_first` (
  `tenant` int(11) NOT NULL,
  `id` bigint(20) NOT NULL AUTO_INCREMENT,
  `idx` int(11) NOT NULL,
  `note` varchar(20) DEFAULT NULL,
  PRIMARY KEY (`tenant`,`id`),
  KEY `idx` (`idx`),
  KEY `id` (`id`),
  KEY `note_id` (`note`,`id`)
) ENGINE=InnoDB AUTO_INCREMENT=42 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci
