package demo

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Activity is what one simulated day did to the demo database.
type Activity struct {
	Date                        string
	NewCustomers, NewOrders     int
	EditedCustomers, Cancelled  int
	DeletedOrders, DeletedUsers int
}

// step is one statement of a simulated day and the counter it feeds.
type step struct {
	n    *int
	stmt string
	args []any
}

// StoryDate returns the simulated date of day i (0 = Monday … 6 =
// Sunday) of the demo week: Monday 5 January 2026 to Sunday 11 January.
func StoryDate(i int) time.Time {
	return time.Date(2026, 1, 5+i, 0, 0, 0, 0, time.UTC)
}

// Simulate applies day i (0 = Monday … 6 = Sunday) of the demo week to
// schema: customers and orders are created, edited and deleted, and on
// Thursday a cleanup script deletes the orders of 60 customers "by mistake" so that the
// days before still hold them.
func Simulate(ctx context.Context, db *sql.DB, schema string, i int) (Activity, error) {
	q := "`" + strings.ReplaceAll(schema, "`", "``") + "`"
	conn, err := useConn(ctx, db, q)
	if err != nil {
		return Activity{}, err
	}
	defer conn.Close()
	r := rand.New(rand.NewPCG(uint64(i)+10, 7))
	date := StoryDate(i).Format(time.DateOnly)
	a := Activity{Date: date, NewCustomers: 5 + r.IntN(10), NewOrders: 20 + r.IntN(40)}
	for range a.NewCustomers {
		if err := addCustomer(ctx, conn, r, date); err != nil {
			return a, err
		}
	}
	if err := addOrders(ctx, conn, r, date, a.NewOrders); err != nil {
		return a, err
	}
	steps := []step{
		{&a.EditedCustomers, "UPDATE customers SET notes = CONCAT(notes, ?), updated_at = ? ORDER BY RAND(?) LIMIT 10",
			[]any{fmt.Sprintf("電話あり %s; ", date), date + " 12:00:00", r.IntN(1 << 30)}},
		{&a.Cancelled, "UPDATE orders SET status = 'cancelled', note = ? WHERE status = 'new' ORDER BY RAND(?) LIMIT 5",
			[]any{"annulée le " + date, r.IntN(1 << 30)}},
		{&a.DeletedOrders, "DELETE FROM orders ORDER BY RAND(?) LIMIT 3", []any{r.IntN(1 << 30)}},
	}
	if i == 3 { // Thursday: a mass deletion by mistake
		steps = append(steps, step{&a.DeletedOrders, "DELETE FROM orders WHERE customer_id IN (SELECT id FROM (SELECT id FROM customers ORDER BY id LIMIT 60) c)", nil})
	}
	if i == 5 { // Saturday: a user leaves the company
		steps = append(steps, step{&a.DeletedUsers, "DELETE FROM users WHERE login_id = 'sales'", nil})
	}
	for _, s := range steps {
		res, err := conn.ExecContext(ctx, s.stmt, s.args...)
		if err != nil {
			return a, fmt.Errorf("simulate %s: %w", date, err)
		}
		n, _ := res.RowsAffected()
		*s.n += int(n)
	}
	return a, nil
}
