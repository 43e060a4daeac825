// Package offsite keeps copies of the generations away from the backup
// server: after every verified snapshot the day's SQL script (gzip, and
// optionally encrypted with age) is written to a target — a directory
// (file:///path) or S3-compatible object storage (s3://bucket/prefix) —
// as <prefix>-<day>-<snapshot time>.sql.gz with a sha256sum-format
// checksum beside it, keeping the newest N. Objects are committed only
// when complete (a file is written aside and renamed; an S3 upload becomes
// visible when it completes) and the checksum is written last, so a copy
// is listed only once it is whole. Fetch checks the checksum before it
// hands a copy back.
package offsite
