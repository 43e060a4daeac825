// Package jobs runs background jobs: large CSV exports and template
// exports that users start from the records page, and downloads of a
// whole day (kind download: the SQL script, gzip-compressed, or the CSV
// bundle, written by package export) started from the day page; users
// leave and download the result later (docs/ARCHITECTURE.md, "Background
// jobs"). A comparison of two days (kind compare) has no file: it runs
// the Runner's Compare (the server's change cache, which stores the
// change set in the meta schema) with the tables done as its progress,
// and is never kept, expired nor counted in the quota.
//
// Jobs live in the meta schema (weekback.JobStore), shared by every
// `weekback serve` replica. Each replica opens one Runner, which runs
// Workers goroutines on its lifetime context:
//
//	Submit ──Enqueue──▶ queued ──Claim (SKIP LOCKED, lease)──▶ running ──Finish──▶ succeeded | lossy | failed | canceled
//	                                   ▲                          │ Renew every Heartbeat: progress, cancel, lease
//	                                   └──────Release (Close)─────┘ lease ran out (process died): another Claim
//
// A job that lost characters to its encoding ends lossy ("completed with
// losses"): its file is complete, with '?' in their place, and its error
// log lists them. The same export asked again replaces the earlier job,
// queued, running or still downloadable: it ends replaced (even when it
// finishes at the same moment; the store decides) and its files are
// removed. A row whose parameters cannot be read is failed by the store's
// Claim and never run.
//
// Limits: a job's parameters take at most MaxParamBytes as JSON
// (ETOOLARGE beyond); each user keeps at most QuotaFiles downloads and
// QuotaBytes bytes: a completing job expires its owner's oldest downloads
// beyond them, and a user still over them is refused (*OverQuotaError).
//
// A worker builds the export exactly as the direct download does (the
// generation's slot, credential columns masked, the same filters, sort,
// columns, profile and encoding), writes it to a temporary file in Dir
// (".<id>.tmp-…"), syncs it and renames it to "<id>.csv" (or
// "<id>.template.json"): a partial file is never served. Characters the
// encoding cannot hold are listed, as they are met, in "<id>.errors.csv".
// File names come from the job's id only: nothing a request says ever
// reaches the file system.
//
// A janitor expires downloads after DownloadTTL, purges jobs after
// Retention, and removes what killed processes left behind.
package jobs
