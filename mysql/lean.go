package mysql

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/go-sql-driver/mysql"
)

// Protocol constants of the lean reader.
const (
	comQuery          = 0x03      // COM_QUERY
	maxPacketLen      = 1<<24 - 1 // a longer payload continues in the next packet
	statusMoreResults = 0x0008    // SERVER_MORE_RESULTS_EXISTS
	packetOK          = 0x00      // first byte of an OK packet
	packetEOF         = 0xFE      // first byte of an EOF packet, or of an OK packet that ends rows
	packetErr         = 0xFF      // first byte of an ERR packet
	nullValue         = 0xFB      // a NULL value in a text row
)

// maxKeptBuffer is the largest buffer of long packets a connection keeps
// between reads.
const maxKeptBuffer = 4 << 20

// errOutOfStep ends a lean read whose packets do not follow the protocol;
// the connection is closed.
var errOutOfStep = errors.New("the server's answer is out of step with the MySQL protocol")

// scan sends query (text protocol, no arguments) and calls fn with the
// values of each row of its result, which must have n columns: the
// column's text as the server sent it, nil for NULL, valid only during
// the call. A server error (also one that ends the rows, such as
// max_statement_time) is returned as the driver's *mysql.MySQLError and
// leaves the connection usable; so does fn's error, after the rest of
// the rows are read and dropped. When ctx ends, on a read or write
// timeout, or when the answer is out of step, the socket is closed, the
// connection is discarded by database/sql, and ctx's error or the I/O
// error is returned.
func (c *leanConn) scan(ctx context.Context, query string, n int, fn func(values [][]byte) error) error {
	if c.broken.Load() {
		return errOutOfStep
	}
	stop := context.AfterFunc(ctx, c.breakConn)
	err := c.exchange(query, n, fn)
	if !stop() && ctx.Err() != nil {
		return ctx.Err() // the socket was closed by the cancellation
	}
	var me *mysql.MySQLError
	if err != nil && !errors.As(err, &me) && !errors.Is(err, errRowFunc) {
		c.breakConn()
	}
	return unwrapRowFunc(err)
}

// exchange writes the query and reads its answer.
func (c *leanConn) exchange(query string, n int, fn func(values [][]byte) error) error {
	if err := c.writeQuery(query); err != nil {
		return err
	}
	data, err := c.readPacket()
	if err != nil {
		return err
	}
	switch data[0] {
	case packetErr:
		return errorPacket(data)
	case packetOK:
		return fmt.Errorf("the statement returned no rows, want %d columns", n)
	}
	cols, _, ok := lenEncInt(data)
	if !ok || cols != uint64(n) {
		return fmt.Errorf("%w: %d columns, want %d", errOutOfStep, cols, n)
	}
	for range cols {
		if _, err := c.readPacket(); err != nil {
			return err
		}
	}
	return c.readRows(n, fn)
}

// errRowFunc marks an error of the caller's row function.
var errRowFunc = errors.New("row function failed")

// rowFuncError is fn's error on its way out of readRows.
type rowFuncError struct{ err error }

func (e rowFuncError) Error() string        { return e.err.Error() }
func (e rowFuncError) Is(target error) bool { return target == errRowFunc }
func (e rowFuncError) Unwrap() error        { return e.err }

func unwrapRowFunc(err error) error {
	var rf rowFuncError
	if errors.As(err, &rf) {
		return rf.err
	}
	return err
}

// readRows reads the row packets up to the end of the result and hands
// each row's values to fn. After fn fails, the remaining rows are read
// and dropped (as the driver's Rows.Close does), so the connection stays
// in step.
func (c *leanConn) readRows(n int, fn func(values [][]byte) error) error {
	if cap(c.vals) < n {
		c.vals = make([][]byte, n)
	}
	vals := c.vals[:n]
	var fnErr error
	first := true
	for {
		data, err := c.readPacket()
		if err != nil {
			return err
		}
		switch {
		case data[0] == packetErr:
			return errorPacket(data)
		case data[0] == packetEOF && len(data) == 5 && first:
			first = false // the EOF after the column definitions (no CLIENT_DEPRECATE_EOF)
			continue
		case data[0] == packetEOF && len(data) < maxPacketLen:
			return endOfRows(data, fnErr)
		}
		first = false
		if fnErr != nil {
			continue
		}
		if !splitRow(data, vals) {
			return fmt.Errorf("%w: a row does not hold %d values", errOutOfStep, n)
		}
		if err := fn(vals); err != nil {
			fnErr = rowFuncError{err}
		}
	}
}

// endOfRows checks the packet that ends a result (an EOF packet, or an
// OK packet with an EOF header): another result must not follow.
func endOfRows(data []byte, fnErr error) error {
	var status []byte
	if len(data) == 5 {
		status = data[3:5]
	} else {
		_, a, ok1 := lenEncInt(data[1:])
		_, b, ok2 := lenEncInt(data[1+a:])
		if !ok1 || !ok2 || len(data) < 3+a+b {
			return fmt.Errorf("%w: a short end of rows", errOutOfStep)
		}
		status = data[1+a+b:]
	}
	if len(status) < 2 || binary.LittleEndian.Uint16(status)&statusMoreResults != 0 {
		return fmt.Errorf("%w: more than one result", errOutOfStep)
	}
	return fnErr
}

// splitRow points vals at the n length-encoded values of a text row;
// false when the packet does not hold exactly that many.
func splitRow(data []byte, vals [][]byte) bool {
	pos := 0
	for i := range vals {
		if pos >= len(data) {
			return false
		}
		if data[pos] == nullValue {
			vals[i] = nil
			pos++
			continue
		}
		size, k, ok := lenEncInt(data[pos:])
		if !ok || uint64(len(data)-pos-k) < size {
			return false
		}
		start := pos + k
		pos = start + int(size)
		vals[i] = data[start:pos:pos]
	}
	return pos == len(data)
}

// lenEncInt decodes the length-encoded integer at the start of b and
// returns it with its size; false when b is too short or starts with a
// byte no such integer starts with.
func lenEncInt(b []byte) (uint64, int, bool) {
	if len(b) == 0 {
		return 0, 0, false
	}
	var size int
	switch b[0] {
	case 0xFC:
		size = 2
	case 0xFD:
		size = 3
	case 0xFE:
		size = 8
	case 0xFB, 0xFF:
		return 0, 0, false
	default:
		return uint64(b[0]), 1, true
	}
	if len(b) < 1+size {
		return 0, 0, false
	}
	var v uint64
	for i := size; i >= 1; i-- {
		v = v<<8 | uint64(b[i])
	}
	return v, 1 + size, true
}

// errorPacket returns the server's error of an ERR packet, as the driver
// reports it.
func errorPacket(data []byte) error {
	if len(data) < 3 {
		return fmt.Errorf("%w: a short error packet", errOutOfStep)
	}
	me := &mysql.MySQLError{Number: binary.LittleEndian.Uint16(data[1:3])}
	pos := 3
	if len(data) >= 9 && data[3] == '#' {
		copy(me.SQLState[:], data[4:9])
		pos = 9
	}
	me.Message = string(data[pos:])
	return me
}

// writeQuery sends a COM_QUERY packet of query.
func (c *leanConn) writeQuery(query string) error {
	if len(query)+1 >= maxPacketLen {
		return fmt.Errorf("a query of %d bytes is too long for the lean reader", len(query))
	}
	pkt := make([]byte, 5, 5+len(query))
	putUint24(pkt, len(query)+1)
	pkt[3], pkt[4] = 0, comQuery
	pkt = append(pkt, query...)
	c.seq = 1
	if c.writeTimeout > 0 {
		if err := c.nc.SetWriteDeadline(time.Now().Add(c.writeTimeout)); err != nil {
			return err
		}
	}
	_, err := c.nc.Write(pkt)
	return err
}

func putUint24(b []byte, n int) { b[0], b[1], b[2] = byte(n), byte(n>>8), byte(n>>16) }

// readPacket returns the payload of the next packet, joining the parts
// of one longer than maxPacketLen. A payload that fits the read buffer
// is returned in place (valid until the next read); a larger one is
// copied into c.big.
func (c *leanConn) readPacket() ([]byte, error) {
	var joined []byte
	for {
		hdr, err := c.peek(4)
		if err != nil {
			return nil, err
		}
		size, seq := int(hdr[0])|int(hdr[1])<<8|int(hdr[2])<<16, hdr[3]
		if seq != c.seq {
			return nil, fmt.Errorf("%w: packet %d, want %d", errOutOfStep, seq, c.seq)
		}
		c.seq++
		c.nc.r.Discard(4)
		if size < maxPacketLen && joined == nil && size <= c.nc.r.Size() {
			data, err := c.peek(size)
			c.nc.r.Discard(size)
			if size == 0 && err == nil {
				return nil, fmt.Errorf("%w: an empty packet", errOutOfStep)
			}
			return data, err
		}
		if joined == nil {
			joined = c.big[:0]
		}
		joined, err = c.readFull(joined, size)
		if err != nil {
			return nil, err
		}
		if size < maxPacketLen {
			if c.big = joined[:0]; cap(joined) > maxKeptBuffer {
				c.big = nil
			}
			if len(joined) == 0 {
				return nil, fmt.Errorf("%w: an empty packet", errOutOfStep)
			}
			return joined, nil
		}
	}
}

// peek returns the next n bytes of the socket's buffer, refilling it
// under the read timeout when it holds fewer.
func (c *leanConn) peek(n int) ([]byte, error) {
	if c.nc.r.Buffered() < n && c.readTimeout > 0 {
		if err := c.nc.SetReadDeadline(time.Now().Add(c.readTimeout)); err != nil {
			return nil, err
		}
	}
	b, err := c.nc.r.Peek(n)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return b, err
}

// readFull appends the next n bytes of the socket to buf.
func (c *leanConn) readFull(buf []byte, n int) ([]byte, error) {
	for n > 0 {
		chunk := min(n, c.nc.r.Size())
		b, err := c.peek(chunk)
		if err != nil {
			return buf, err
		}
		buf = append(buf, b...)
		c.nc.r.Discard(chunk)
		n -= chunk
	}
	return buf, nil
}
