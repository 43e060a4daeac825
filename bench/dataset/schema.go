package dataset

import "math"

// Base row counts at scale 1; RowCounts multiplies them.
const (
	baseUsers      = 200
	baseCustomers  = 200_000
	baseProducts   = 20_000
	baseOrders     = 2_000_000
	baseOrderItems = 2_800_000
)

// table is one generated table: the column and key part of its DDL (what
// follows CREATE TABLE name; unqualified REFERENCES resolve to the same
// schema) and its fill statement.
type table struct {
	name string
	base int64
	min  int64
	ddl  string
	fill func(n counts) fillSQL
}

// counts holds the row count of every table at one scale.
type counts map[string]int64

// tables lists the generated tables, parents before children.
var tables = []table{
	{name: "users", base: baseUsers, min: 5, ddl: usersDDL, fill: usersFill},
	{name: "customers", base: baseCustomers, min: 10, ddl: customersDDL, fill: customersFill},
	{name: "products", base: baseProducts, min: 10, ddl: productsDDL, fill: productsFill},
	{name: "orders", base: baseOrders, min: 10, ddl: ordersDDL, fill: ordersFill},
	{name: "order_items", base: baseOrderItems, min: 14, ddl: orderItemsDDL, fill: orderItemsFill},
}

// Tables returns the names of the tables Generate creates, parents before
// children (the marker table is not included). It is safe for concurrent use.
func Tables() []string {
	names := make([]string, len(tables))
	for i, t := range tables {
		names[i] = t.name
	}
	return names
}

// RowCounts returns the number of rows Generate puts into each table at the
// given scale. It is safe for concurrent use.
func RowCounts(scale float64) map[string]int64 {
	n := make(map[string]int64, len(tables))
	for _, t := range tables {
		n[t.name] = max(t.min, int64(math.Round(float64(t.base)*scale)))
	}
	return n
}

const usersDDL = `(
  id INT UNSIGNED NOT NULL AUTO_INCREMENT,
  login_id VARCHAR(64) NOT NULL,
  password_hash VARCHAR(100) NOT NULL,
  display_name VARCHAR(100) NOT NULL,
  email VARCHAR(190) NOT NULL,
  can_manage_settings TINYINT(1) NOT NULL DEFAULT 0,
  role ENUM('superadmin','admin','staff','viewer') NOT NULL DEFAULT 'staff',
  created_at DATETIME NOT NULL,
  last_login_at DATETIME NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_users_login (login_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`

const customersDDL = `(
  id INT UNSIGNED NOT NULL AUTO_INCREMENT,
  name VARCHAR(120) NOT NULL,
  email VARCHAR(190) NOT NULL,
  phone VARCHAR(32) NULL,
  created_at DATETIME NOT NULL,
  notes TEXT NULL,
  PRIMARY KEY (id),
  KEY idx_customers_email (email),
  KEY idx_customers_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`

const productsDDL = `(
  id INT UNSIGNED NOT NULL AUTO_INCREMENT,
  sku VARCHAR(32) NOT NULL,
  name VARCHAR(200) NOT NULL,
  category VARCHAR(64) NOT NULL,
  price DECIMAL(10,2) NOT NULL,
  stock INT NOT NULL DEFAULT 0,
  image BLOB NULL,
  updated_at DATETIME NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_products_sku (sku)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`

const ordersDDL = `(
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  customer_id INT UNSIGNED NOT NULL,
  status ENUM('pending','paid','shipped','delivered','cancelled','refunded') NOT NULL,
  ordered_at DATETIME NOT NULL,
  total DECIMAL(12,2) NOT NULL,
  note VARCHAR(255) NULL,
  PRIMARY KEY (id),
  KEY idx_orders_customer (customer_id),
  KEY idx_orders_ordered_at (ordered_at),
  KEY idx_orders_status_ordered (status, ordered_at),
  CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`

const orderItemsDDL = `(
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  order_id BIGINT UNSIGNED NOT NULL,
  product_id INT UNSIGNED NOT NULL,
  qty SMALLINT UNSIGNED NOT NULL,
  unit_price DECIMAL(10,2) NOT NULL,
  PRIMARY KEY (id),
  KEY idx_order_items_order (order_id),
  KEY idx_order_items_product (product_id),
  CONSTRAINT fk_order_items_order FOREIGN KEY (order_id) REFERENCES orders (id),
  CONSTRAINT fk_order_items_product FOREIGN KEY (product_id) REFERENCES products (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`
