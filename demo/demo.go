// Package demo builds Weekback's demo production database: a small sales
// app (customers, products, orders, order items, users with bcrypt hashes,
// Japanese and accented names) and a week of simulated activity, so that
// each of the seven generations shows a different day.
package demo

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// Demo logins printed by `weekback demo` and shown on its landing page:
// users allowed into the backup environment (can_manage_settings = 1),
// an administrator (role superadmin) and a support agent.
const (
	Login           = "demo"
	Password        = "weekback-demo"
	SupportLogin    = "support"
	SupportPassword = "support-demo"
)

var schemaSQL = []string{
	`CREATE TABLE users (
	  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
	  login_id VARCHAR(64) NOT NULL UNIQUE,
	  display_name VARCHAR(100) NOT NULL,
	  password_hash VARCHAR(255) NOT NULL,
	  can_manage_settings TINYINT(1) NOT NULL DEFAULT 0,
	  role VARCHAR(32) NOT NULL DEFAULT 'staff'
	) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
	`CREATE TABLE customers (
	  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
	  name VARCHAR(100) NOT NULL,
	  email VARCHAR(255) NULL,
	  city VARCHAR(64) NULL,
	  notes TEXT NULL,
	  created_at DATETIME NOT NULL,
	  updated_at DATETIME NOT NULL,
	  KEY by_name (name)
	) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
	`CREATE TABLE products (
	  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
	  sku VARCHAR(32) NOT NULL UNIQUE,
	  name VARCHAR(100) NOT NULL,
	  price DECIMAL(10,2) NOT NULL,
	  active TINYINT(1) NOT NULL DEFAULT 1
	) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
	`CREATE TABLE orders (
	  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
	  customer_id INT NOT NULL,
	  status ENUM('new','paid','shipped','cancelled') NOT NULL DEFAULT 'new',
	  ordered_at DATETIME NOT NULL,
	  total DECIMAL(12,2) NOT NULL DEFAULT 0,
	  note VARCHAR(255) NULL,
	  KEY by_ordered (ordered_at),
	  CONSTRAINT orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE
	) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
	`CREATE TABLE order_items (
	  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
	  order_id INT NOT NULL,
	  product_id INT NOT NULL,
	  qty INT NOT NULL,
	  unit_price DECIMAL(10,2) NOT NULL,
	  CONSTRAINT items_order FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE,
	  CONSTRAINT items_product FOREIGN KEY (product_id) REFERENCES products (id)
	) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
	`CREATE VIEW order_totals AS SELECT c.id AS customer_id, c.name, COUNT(o.id) AS orders, COALESCE(SUM(o.total),0) AS total
	  FROM customers c LEFT JOIN orders o ON o.customer_id = c.id GROUP BY c.id, c.name`,
}

var (
	familyNames = []string{"佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "Lefèvre", "Dubois", "Müller", "García", "Østergaard", "Nguyễn"}
	givenNames  = []string{"翔太", "陽菜", "蓮", "結衣", "大輝", "さくら", "Zoé", "Hélène", "François", "Jürgen", "José", "Ana"}
	cities      = []string{"東京", "大阪", "札幌", "福岡", "Paris", "Lyon", "Montréal", "Zürich"}
	productsTbl = []string{"抹茶ラテ", "ほうじ茶", "Café crème", "Croissant au beurre", "Crème brûlée", "おにぎり", "Gâteau basque", "どら焼き"}
)

// Create makes schema a fresh demo production database with its first
// data (customers, products, users, orders). db must not be bound to a
// database. The random source is seeded so every run builds the same data.
func Create(ctx context.Context, db *sql.DB, schema string) error {
	q := "`" + strings.ReplaceAll(schema, "`", "``") + "`"
	if _, err := db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+q); err != nil {
		return fmt.Errorf("drop demo schema: %w", err)
	}
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+q+" CHARACTER SET utf8mb4"); err != nil {
		return fmt.Errorf("create demo schema: %w", err)
	}
	conn, err := useConn(ctx, db, q)
	if err != nil {
		return err
	}
	defer conn.Close()
	for _, s := range schemaSQL {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("create demo tables: %w", err)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	if err := seedUsers(ctx, conn); err != nil {
		return err
	}
	if err := seedProducts(ctx, conn); err != nil {
		return err
	}
	for range 200 {
		if err := addCustomer(ctx, conn, r, "2026-01-05"); err != nil {
			return err
		}
	}
	return addOrders(ctx, conn, r, "2026-01-05", 300)
}

func useConn(ctx context.Context, db *sql.DB, quoted string) (*sql.Conn, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	if _, err := conn.ExecContext(ctx, "USE "+quoted); err != nil {
		conn.Close()
		return nil, fmt.Errorf("use demo schema: %w", err)
	}
	return conn, nil
}

func seedUsers(ctx context.Context, conn *sql.Conn) error {
	users := []struct {
		login, name, password, role string
		settings                    int
	}{
		{Login, "デモ 管理者", Password, "superadmin", 1},
		{SupportLogin, "Sophie Support", SupportPassword, "staff", 1},
		{"sales", "営業 太郎", "sales-demo", "staff", 0},
	}
	for _, u := range users {
		hash, err := bcrypt.GenerateFromPassword([]byte(u.password), bcrypt.MinCost)
		if err != nil {
			return fmt.Errorf("hash demo password: %w", err)
		}
		_, err = conn.ExecContext(ctx, "INSERT INTO users (login_id, display_name, password_hash, can_manage_settings, role) VALUES (?, ?, ?, ?, ?)",
			u.login, u.name, string(hash), u.settings, u.role)
		if err != nil {
			return fmt.Errorf("add demo user: %w", err)
		}
	}
	return nil
}

func seedProducts(ctx context.Context, conn *sql.Conn) error {
	for i, name := range productsTbl {
		_, err := conn.ExecContext(ctx, "INSERT INTO products (sku, name, price) VALUES (?, ?, ?)",
			fmt.Sprintf("SKU-%03d", i+1), name, fmt.Sprintf("%d.%02d", 200+i*150, i*7%100))
		if err != nil {
			return fmt.Errorf("add demo product: %w", err)
		}
	}
	return nil
}

func addCustomer(ctx context.Context, conn *sql.Conn, r *rand.Rand, date string) error {
	name := familyNames[r.IntN(len(familyNames))] + " " + givenNames[r.IntN(len(givenNames))]
	var email any
	if r.IntN(5) > 0 {
		email = fmt.Sprintf("customer%d@example.jp", r.IntN(1_000_000))
	}
	at := fmt.Sprintf("%s %02d:%02d:00", date, 8+r.IntN(10), r.IntN(60))
	_, err := conn.ExecContext(ctx, "INSERT INTO customers (name, email, city, notes, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
		name, email, cities[r.IntN(len(cities))], "", at, at)
	if err != nil {
		return fmt.Errorf("add demo customer: %w", err)
	}
	return nil
}

func addOrders(ctx context.Context, conn *sql.Conn, r *rand.Rand, date string, n int) error {
	for range n {
		at := fmt.Sprintf("%s %02d:%02d:%02d", date, 8+r.IntN(12), r.IntN(60), r.IntN(60))
		res, err := conn.ExecContext(ctx, "INSERT INTO orders (customer_id, status, ordered_at) SELECT id, ?, ? FROM customers ORDER BY RAND(?) LIMIT 1",
			[]string{"new", "paid", "shipped"}[r.IntN(3)], at, r.IntN(1<<30))
		if err != nil {
			return fmt.Errorf("add demo order: %w", err)
		}
		id, _ := res.LastInsertId()
		for range 1 + r.IntN(3) {
			_, err := conn.ExecContext(ctx, "INSERT INTO order_items (order_id, product_id, qty, unit_price) SELECT ?, id, ?, price FROM products ORDER BY RAND(?) LIMIT 1",
				id, 1+r.IntN(5), r.IntN(1<<30))
			if err != nil {
				return fmt.Errorf("add demo order item: %w", err)
			}
		}
		_, err = conn.ExecContext(ctx, "UPDATE orders SET total = (SELECT SUM(qty*unit_price) FROM order_items WHERE order_id = ?) WHERE id = ?", id, id)
		if err != nil {
			return fmt.Errorf("total demo order: %w", err)
		}
	}
	return nil
}
