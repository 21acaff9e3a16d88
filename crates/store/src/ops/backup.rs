//! Backups of either engine, and their trace in the audit trail (HIPAA 164.308(a)(7)(ii)(A)
//! data backup plan, 164.312(a)(2)(iv) encryption; reference security-reliability.md T-BR-01).
//!
//! A backup is a *logical snapshot*: every row of every table, read in one consistent
//! read transaction while the server keeps serving (SQLite: one WAL read snapshot;
//! PostgreSQL: `REPEATABLE READ, READ ONLY`), written as JSON lines whose values are typed the
//! same way on both engines. So a backup of either engine restores into either engine. The
//! table list is read from the database's own catalog, never from a list in the code: a new
//! table is in the next backup without anyone remembering it.
//!
//! Format (plain text; the command line encrypts it before it touches a disk):
//! 1. a header line: format, schema (migration) version, engine, time, and every table with
//!    its columns (name and type) and its number of rows;
//! 2. each table's rows, one JSON array per line, tables in foreign-key order (a table after
//!    those it refers to; in a table that refers to itself, a row after the row it names);
//! 3. a trailer line with the SHA-256 of everything before it.
//!
//! A restore goes into an empty database of the same schema version in one transaction: the
//! rows, the check of the checksum and row counts, the verification of every practice's
//! audit chain and the `backup.restore` events either all commit or none does.

use crate::audit::{self, AuditCategory, ChainReport};
use crate::db::{BindAll, Conn, One, Tx, Val, args};
use crate::error::{Result, StoreError};
use crate::model::Ctx;
use crate::{Engine, Store, Writer};
use futures_util::TryStreamExt;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::io::{BufRead, Write};
use stepwise_domain::audit::AuditAction;
use stepwise_domain::ids::PracticeId;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

/// The version of the snapshot format written by [`Store::backup_snapshot`].
pub const SNAPSHOT_FORMAT: u32 = 1;

/// At most this many bound values per INSERT while restoring (below SQLite's and
/// PostgreSQL's limits).
const BIND_LIMIT: usize = 900;

/// A column's type as a snapshot records it: the same on both engines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnType {
    Uuid,
    Text,
    Int,
    Bool,
    Date,
    Timestamp,
}

impl ColumnType {
    /// From a declared SQLite type or a PostgreSQL `data_type`.
    fn from_declared(t: &str) -> Option<Self> {
        Some(match t.to_ascii_lowercase().as_str() {
            "blob" | "uuid" => Self::Uuid,
            "text" => Self::Text,
            "integer" | "bigint" => Self::Int,
            "boolean" => Self::Bool,
            "date" => Self::Date,
            "datetime" | "timestamptz" | "timestamp with time zone" => Self::Timestamp,
            _ => return None,
        })
    }
}

/// A table in a snapshot: its columns (by name) and how many rows it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotTable {
    pub name: String,
    pub columns: Vec<(String, ColumnType)>,
    pub rows: u64,
}

/// The first line of a snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotHeader {
    pub format: u32,
    /// The last migration applied to the database it was taken from.
    pub schema_version: i64,
    /// `sqlite` or `postgres`.
    pub engine: String,
    #[serde(with = "time::serde::rfc3339")]
    pub taken_at: OffsetDateTime,
    pub tables: Vec<SnapshotTable>,
}

impl SnapshotHeader {
    pub fn total_rows(&self) -> u64 {
        self.tables.iter().map(|t| t.rows).sum()
    }

    pub fn rows_of(&self, table: &str) -> Option<u64> {
        self.tables.iter().find(|t| t.name == table).map(|t| t.rows)
    }
}

#[derive(Serialize, Deserialize)]
struct Trailer {
    sha256: String,
}

/// A table as the database's catalog describes it.
struct TableDef {
    name: String,
    /// Sorted by name.
    columns: Vec<(String, ColumnType)>,
    /// Other tables it refers to.
    refers_to: BTreeSet<String>,
    /// A column referring to another row of the same table: (column, referenced column).
    self_ref: Option<(String, String)>,
}

/// Table and column names come from the catalog; this keeps them plain identifiers all the
/// same before they are quoted into a statement.
fn ident(name: &str) -> Result<String> {
    if !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        Ok(format!("\"{name}\""))
    } else {
        Err(StoreError::Corrupt(format!(
            "unexpected table or column name {name:?}"
        )))
    }
}

/// Every table of the application (not the migration bookkeeping), in foreign-key order.
async fn catalog(c: &mut Conn<'_>) -> Result<Vec<TableDef>> {
    let sqlite = matches!(c, Conn::Sqlite(_));
    let names: Vec<(String,)> = if sqlite {
        c.fetch_all(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
             AND name NOT LIKE '\\_sqlx%' ESCAPE '\\'",
            args![],
        )
        .await?
    } else {
        c.fetch_all(
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() \
             AND table_type = 'BASE TABLE' AND table_name NOT LIKE '\\_sqlx%'",
            args![],
        )
        .await?
    };
    let mut defs = Vec::new();
    for (name,) in names {
        let cols: Vec<(String, String)> = if sqlite {
            c.fetch_all(
                "SELECT name, type FROM pragma_table_info($1)",
                args![name.as_str()],
            )
            .await?
        } else {
            c.fetch_all(
                "SELECT column_name::text, data_type::text FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1",
                args![name.as_str()],
            )
            .await?
        };
        let mut columns = Vec::new();
        for (col, declared) in cols {
            let t = ColumnType::from_declared(&declared).ok_or_else(|| {
                StoreError::Corrupt(format!(
                    "column {name}.{col} has type {declared}, which backups do not know yet \
                     (add it to ColumnType)"
                ))
            })?;
            columns.push((col, t));
        }
        columns.sort_by(|a, b| a.0.cmp(&b.0));
        // (referenced table, column, referenced column, columns in the key)
        let fks: Vec<(String, String, Option<String>, i64)> = if sqlite {
            c.fetch_all(
                "SELECT f.\"table\", f.\"from\", f.\"to\", \
                 (SELECT COUNT(*) FROM pragma_foreign_key_list($1) g WHERE g.id = f.id) \
                 FROM pragma_foreign_key_list($1) f",
                args![name.as_str()],
            )
            .await?
        } else {
            c.fetch_all(
                "SELECT r.relname::text, a.attname::text, af.attname::text, \
                 array_length(k.conkey, 1)::bigint \
                 FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid \
                 JOIN pg_namespace n ON n.oid = t.relnamespace \
                 JOIN pg_class r ON r.oid = k.confrelid \
                 JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1] \
                 JOIN pg_attribute af ON af.attrelid = k.confrelid AND af.attnum = k.confkey[1] \
                 WHERE k.contype = 'f' AND t.relname = $1 AND n.nspname = current_schema()",
                args![name.as_str()],
            )
            .await?
        };
        let mut refers_to = BTreeSet::new();
        let mut self_ref = None;
        for (table, col, to, width) in fks {
            if table == name {
                if width != 1 || self_ref.is_some() {
                    return Err(StoreError::Corrupt(format!(
                        "table {name} refers to itself in a way backups do not order yet"
                    )));
                }
                self_ref = Some((col, to.unwrap_or_else(|| "id".into())));
            } else {
                refers_to.insert(table);
            }
        }
        defs.push(TableDef {
            name,
            columns,
            refers_to,
            self_ref,
        });
    }
    // Kahn's order, by name among tables that are ready at the same time.
    let mut ordered = Vec::with_capacity(defs.len());
    let mut done = BTreeSet::new();
    defs.sort_by(|a, b| a.name.cmp(&b.name));
    while !defs.is_empty() {
        let ready = defs
            .iter()
            .position(|d| d.refers_to.iter().all(|r| done.contains(r)))
            .ok_or_else(|| {
                StoreError::Corrupt("the tables' foreign keys form a cycle".to_owned())
            })?;
        let d = defs.remove(ready);
        done.insert(d.name.clone());
        ordered.push(d);
    }
    Ok(ordered)
}

async fn schema_version(c: &mut Conn<'_>) -> Result<i64> {
    let v: One<Option<i64>> = c
        .fetch_one("SELECT MAX(version) FROM _sqlx_migrations", args![])
        .await?;
    Ok(v.0.unwrap_or(0))
}

async fn count_rows(c: &mut Conn<'_>, table: &str) -> Result<u64> {
    let sql = format!("SELECT COUNT(*) FROM {}", ident(table)?);
    let n: i64 = match c {
        Conn::Sqlite(c) => {
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .fetch_one(&mut **c)
                .await?
        }
        Conn::Pg(c) => {
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .fetch_one(&mut **c)
                .await?
        }
    };
    Ok(u64::try_from(n).unwrap_or(0))
}

const DATE_FORMAT: &[time::format_description::BorrowedFormatItem<'_>] =
    format_description!("[year]-[month]-[day]");

/// One row's values as JSON, in the order of `columns`.
macro_rules! row_values {
    ($row:expr, $columns:expr) => {{
        use sqlx::Row as _;
        let row = $row;
        let mut out = Vec::with_capacity($columns.len());
        for (i, (_, t)) in $columns.iter().enumerate() {
            let v = match t {
                ColumnType::Uuid => row
                    .try_get::<Option<Uuid>, _>(i)?
                    .map(|u| Value::String(u.to_string())),
                ColumnType::Text => row.try_get::<Option<String>, _>(i)?.map(Value::String),
                ColumnType::Int => row.try_get::<Option<i64>, _>(i)?.map(Value::from),
                ColumnType::Bool => row.try_get::<Option<bool>, _>(i)?.map(Value::Bool),
                ColumnType::Date => row
                    .try_get::<Option<Date>, _>(i)?
                    .map(|d| d.format(DATE_FORMAT).map(Value::String))
                    .transpose()
                    .map_err(StoreError::corrupt)?,
                ColumnType::Timestamp => row
                    .try_get::<Option<OffsetDateTime>, _>(i)?
                    .map(|t| t.format(&Rfc3339).map(Value::String))
                    .transpose()
                    .map_err(StoreError::corrupt)?,
            };
            out.push(v.unwrap_or(Value::Null));
        }
        out
    }};
}

/// A writer that hashes what passes through it.
struct Hashing<'w, W: Write> {
    inner: &'w mut W,
    hash: Sha256,
}

impl<W: Write> Hashing<'_, W> {
    fn line(&mut self, value: &impl Serialize) -> Result<()> {
        let mut bytes = serde_json::to_vec(value).map_err(StoreError::corrupt)?;
        bytes.push(b'\n');
        self.hash.update(&bytes);
        self.inner.write_all(&bytes).map_err(io_error)
    }
}

fn io_error(e: std::io::Error) -> StoreError {
    StoreError::Corrupt(format!("backup stream: {e}"))
}

/// Put rows of a table that refers to itself in an order where each row comes after the row
/// it names.
fn self_ordered(
    rows: Vec<Vec<Value>>,
    columns: &[(String, ColumnType)],
    (col, to): &(String, String),
    table: &str,
) -> Result<Vec<Vec<Value>>> {
    let pos = |name: &str| {
        columns
            .iter()
            .position(|(c, _)| c == name)
            .ok_or_else(|| StoreError::Corrupt(format!("table {table} has no column {name}")))
    };
    let (ci, ti) = (pos(col)?, pos(to)?);
    let mut placed: HashSet<String> = HashSet::new();
    let mut out = Vec::with_capacity(rows.len());
    let mut pending = rows;
    while !pending.is_empty() {
        let before = pending.len();
        let mut later = Vec::new();
        for r in pending {
            let ready = match &r[ci] {
                Value::Null => true,
                v => placed.contains(&v.to_string()),
            };
            if ready {
                placed.insert(r[ti].to_string());
                out.push(r);
            } else {
                later.push(r);
            }
        }
        if later.len() == before {
            return Err(StoreError::Corrupt(format!(
                "{} rows of {table} refer to rows that do not exist",
                later.len()
            )));
        }
        pending = later;
    }
    Ok(out)
}

/// Decode one JSON value of a snapshot into a value to bind, by the column's type.
fn to_val(v: &Value, t: ColumnType) -> Option<Val> {
    Some(match (t, v) {
        (ColumnType::Uuid, Value::Null) => Val::Uuid(None),
        (ColumnType::Text, Value::Null) => Val::Text(None),
        (ColumnType::Int, Value::Null) => Val::Int(None),
        (ColumnType::Bool, Value::Null) => Val::Bool(None),
        (ColumnType::Date, Value::Null) => Val::Date(None),
        (ColumnType::Timestamp, Value::Null) => Val::Time(None),
        (ColumnType::Uuid, Value::String(s)) => Val::Uuid(Some(Uuid::parse_str(s).ok()?)),
        (ColumnType::Text, Value::String(s)) => Val::Text(Some(s.clone())),
        (ColumnType::Int, Value::Number(n)) => Val::Int(Some(n.as_i64()?)),
        (ColumnType::Bool, Value::Bool(b)) => Val::Bool(Some(*b)),
        (ColumnType::Date, Value::String(s)) => Val::Date(Some(Date::parse(s, DATE_FORMAT).ok()?)),
        (ColumnType::Timestamp, Value::String(s)) => {
            Val::Time(Some(OffsetDateTime::parse(s, &Rfc3339).ok()?))
        }
        _ => return None,
    })
}

/// A snapshot being read: lines, hashed as they come.
struct Lines<'r, R: BufRead> {
    inner: &'r mut R,
    hash: Sha256,
    buf: String,
    line_no: u64,
}

impl<R: BufRead> Lines<'_, R> {
    /// The next line (without its newline), hashed; `None` at the end.
    fn next_line(&mut self, hashed: bool) -> Result<Option<&str>> {
        self.buf.clear();
        let n = self.inner.read_line(&mut self.buf).map_err(io_error)?;
        if n == 0 {
            return Ok(None);
        }
        self.line_no += 1;
        if hashed {
            self.hash.update(self.buf.as_bytes());
        }
        Ok(Some(self.buf.trim_end_matches('\n')))
    }

    fn expect_line(&mut self, what: &str) -> Result<&str> {
        let line_no = self.line_no + 1;
        self.next_line(true)?.ok_or_else(|| {
            StoreError::Corrupt(format!(
                "the backup ends early: line {line_no} should hold {what}"
            ))
        })
    }
}

/// What a restore put in place.
#[derive(Debug, Clone)]
pub struct RestoreSummary {
    pub header: SnapshotHeader,
    /// Every practice's audit chain, verified before the restore committed.
    pub chains: Vec<ChainReport>,
}

impl Store {
    /// Write a snapshot of the whole database (every table, one consistent read transaction)
    /// to `out`, as described in this module. The caller records the finished backup with
    /// [`Store::audit_every_practice`] (`backup.create`) once the file is safely written.
    pub async fn backup_snapshot(
        &self,
        now: OffsetDateTime,
        out: &mut impl Write,
    ) -> Result<SnapshotHeader> {
        let mut tx = match (&self.inner.sqlite_read, &self.inner.writer) {
            // A deferred transaction: its first read fixes the WAL snapshot it sees.
            (Some(read), _) => Tx::Sqlite(read.begin().await?),
            (None, Writer::Pg(p)) => Tx::Pg(
                p.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    .await?,
            ),
            (None, Writer::Sqlite(w)) => Tx::Sqlite(w.begin().await?),
        };
        let mut c = tx.conn();
        let schema_version = schema_version(&mut c).await?;
        let defs = catalog(&mut c).await?;
        let mut tables = Vec::with_capacity(defs.len());
        for d in &defs {
            tables.push(SnapshotTable {
                name: d.name.clone(),
                columns: d.columns.clone(),
                rows: count_rows(&mut c, &d.name).await?,
            });
        }
        let header = SnapshotHeader {
            format: SNAPSHOT_FORMAT,
            schema_version,
            engine: match self.engine() {
                Engine::Sqlite => "sqlite",
                Engine::Postgres => "postgres",
            }
            .to_owned(),
            taken_at: now,
            tables,
        };
        let mut w = Hashing {
            inner: out,
            hash: Sha256::new(),
        };
        w.line(&header)?;
        for d in &defs {
            let cols = d
                .columns
                .iter()
                .map(|(c, _)| ident(c))
                .collect::<Result<Vec<_>>>()?
                .join(", ");
            let sql = format!("SELECT {cols} FROM {}", ident(&d.name)?);
            let mut held = Vec::new();
            let mut written = 0u64;
            macro_rules! each_row {
                ($conn:expr) => {{
                    let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch(&mut **$conn);
                    while let Some(row) = rows.try_next().await? {
                        let values = row_values!(&row, d.columns);
                        if d.self_ref.is_some() {
                            held.push(values);
                        } else {
                            w.line(&values)?;
                            written += 1;
                        }
                    }
                }};
            }
            match &mut c {
                Conn::Sqlite(conn) => each_row!(conn),
                Conn::Pg(conn) => each_row!(conn),
            }
            if let Some(r) = &d.self_ref {
                for values in self_ordered(held, &d.columns, r, &d.name)? {
                    w.line(&values)?;
                    written += 1;
                }
            }
            if Some(written) != header.rows_of(&d.name) {
                return Err(StoreError::Corrupt(format!(
                    "table {} changed while it was read",
                    d.name
                )));
            }
        }
        let sha256 = hex::encode(w.hash.finalize_reset());
        w.line(&Trailer { sha256 })?;
        // Nothing was written: ending the read transaction releases its snapshot.
        tx.commit().await?;
        Ok(header)
    }

    /// Restore a snapshot written by [`Store::backup_snapshot`] (of either engine) into this
    /// database, which must be empty (freshly migrated) and at the same schema version. One
    /// transaction: if the snapshot is damaged, incomplete or its audit chains do not
    /// verify, nothing is written. Records `backup.restore` (with `detail`) in every
    /// restored practice's audit trail.
    pub async fn restore_snapshot(
        &self,
        ctx: &Ctx,
        input: &mut impl BufRead,
        detail: &str,
    ) -> Result<RestoreSummary> {
        let mut lines = Lines {
            inner: input,
            hash: Sha256::new(),
            buf: String::new(),
            line_no: 0,
        };
        let header: SnapshotHeader = serde_json::from_str(lines.expect_line("the header")?)
            .map_err(|e| StoreError::Corrupt(format!("not a Stepwise backup: {e}")))?;
        if header.format != SNAPSHOT_FORMAT {
            return Err(StoreError::Corrupt(format!(
                "backup format {} is not one this version reads ({SNAPSHOT_FORMAT})",
                header.format
            )));
        }
        let mut tx = self.begin().await?;
        let target_version = schema_version(&mut tx.conn()).await?;
        if header.schema_version != target_version {
            return Err(StoreError::invalid(
                "backup",
                format!(
                    "the backup has schema version {} and this Stepwise has {target_version}: \
                     restore it with the Stepwise version that made it, then upgrade",
                    header.schema_version
                ),
            ));
        }
        let defs = catalog(&mut tx.conn()).await?;
        let theirs: BTreeMap<&str, &Vec<(String, ColumnType)>> = header
            .tables
            .iter()
            .map(|t| (t.name.as_str(), &t.columns))
            .collect();
        let ours: BTreeMap<&str, &Vec<(String, ColumnType)>> =
            defs.iter().map(|d| (d.name.as_str(), &d.columns)).collect();
        if theirs != ours {
            let differ: Vec<&str> = theirs
                .keys()
                .chain(ours.keys())
                .filter(|t| theirs.get(*t) != ours.get(*t))
                .copied()
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            return Err(StoreError::invalid(
                "backup",
                format!(
                    "the backup's tables do not match this database's: {}",
                    differ.join(", ")
                ),
            ));
        }
        // Empty: no rows at all, but for the chain head of "no practice" every new
        // database starts with.
        for d in &defs {
            let n = count_rows(&mut tx.conn(), &d.name).await?;
            let allowed = if d.name == "audit_heads" {
                let fresh: One<i64> = tx
                    .fetch_one("SELECT COUNT(*) FROM audit_heads WHERE seq = 0", args![])
                    .await?;
                u64::try_from(fresh.0).unwrap_or(0)
            } else {
                0
            };
            if n > allowed {
                return Err(StoreError::invalid(
                    "target",
                    format!(
                        "the database is not empty (table {} holds {n} rows): restore into a new, \
                         empty database",
                        d.name
                    ),
                ));
            }
        }
        tx.execute("DELETE FROM audit_heads", args![]).await?;
        for t in &header.tables {
            let names = t
                .columns
                .iter()
                .map(|(c, _)| ident(c))
                .collect::<Result<Vec<_>>>()?
                .join(", ");
            let per_row = t.columns.len().max(1);
            let batch = (BIND_LIMIT / per_row).max(1);
            let mut vals: Vec<Val> = Vec::with_capacity(batch * per_row);
            let mut in_batch = 0usize;
            for i in 0..t.rows {
                let line = lines.expect_line(&format!("row {} of table {}", i + 1, t.name))?;
                let row: Vec<Value> = serde_json::from_str(line).map_err(|e| {
                    StoreError::Corrupt(format!("row {} of table {}: {e}", i + 1, t.name))
                })?;
                if row.len() != t.columns.len() {
                    return Err(StoreError::Corrupt(format!(
                        "row {} of table {} has {} values for {} columns",
                        i + 1,
                        t.name,
                        row.len(),
                        t.columns.len()
                    )));
                }
                for (v, (col, ty)) in row.iter().zip(&t.columns) {
                    vals.push(to_val(v, *ty).ok_or_else(|| {
                        StoreError::Corrupt(format!(
                            "row {} of table {}: {col} is not a {ty:?}",
                            i + 1,
                            t.name
                        ))
                    })?);
                }
                in_batch += 1;
                if in_batch == batch {
                    insert(&mut tx, &t.name, &names, per_row, &vals).await?;
                    vals.clear();
                    in_batch = 0;
                }
            }
            if in_batch > 0 {
                insert(&mut tx, &t.name, &names, per_row, &vals).await?;
            }
        }
        let expected = hex::encode(lines.hash.clone().finalize());
        let trailer: Trailer = serde_json::from_str(lines.expect_line("the checksum")?)
            .map_err(|e| StoreError::Corrupt(format!("the backup's checksum line: {e}")))?;
        if trailer.sha256 != expected {
            return Err(StoreError::Corrupt(
                "the backup's checksum does not match its contents".to_owned(),
            ));
        }
        if lines.next_line(false)?.is_some() {
            return Err(StoreError::Corrupt(
                "the backup holds data after its checksum".to_owned(),
            ));
        }
        for d in &defs {
            let n = count_rows(&mut tx.conn(), &d.name).await?;
            if Some(n) != header.rows_of(&d.name) {
                return Err(StoreError::Corrupt(format!(
                    "table {} holds {n} rows after the restore, not the backup's {:?}",
                    d.name,
                    header.rows_of(&d.name)
                )));
            }
        }
        let heads: Vec<One<Uuid>> = tx
            .conn()
            .fetch_all(
                "SELECT practice_id FROM audit_heads ORDER BY practice_id",
                args![],
            )
            .await?;
        let mut chains = Vec::new();
        for h in heads {
            let report = audit::verify_chain(&mut tx.conn(), PracticeId::from_uuid(h.0)).await?;
            if !report.is_intact() {
                return Err(StoreError::Corrupt(format!(
                    "the backup's audit trail of practice {} is broken ({}): not restored",
                    report.practice,
                    report.problems.join("; ")
                )));
            }
            chains.push(report);
        }
        let practices: Vec<One<Uuid>> = tx
            .conn()
            .fetch_all("SELECT id FROM practices ORDER BY id", args![])
            .await?;
        for p in practices {
            let pctx = Ctx {
                practice: PracticeId::from_uuid(p.0),
                ..ctx.clone()
            };
            audit::append(
                &mut tx,
                &pctx.event(
                    AuditAction::BackupRestore,
                    AuditCategory::Administration,
                    None,
                    detail,
                ),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(RestoreSummary { header, chains })
    }

    /// Record an event about the whole installation (a backup, a restore) in every practice's
    /// audit trail, in one transaction, so each practice's own report shows it.
    pub async fn audit_every_practice(
        &self,
        ctx: &Ctx,
        action: AuditAction,
        detail: &str,
    ) -> Result<()> {
        let practices = self.practices().await?;
        let mut tx = self.begin().await?;
        for p in practices {
            let pctx = Ctx {
                practice: p.id,
                ..ctx.clone()
            };
            audit::append(
                &mut tx,
                &pctx.event(action, AuditCategory::Administration, None, detail),
            )
            .await?;
        }
        tx.commit().await
    }
}

/// One multi-row INSERT of `vals` (a whole number of rows).
async fn insert(tx: &mut Tx, table: &str, names: &str, per_row: usize, vals: &[Val]) -> Result<()> {
    let rows = vals.len() / per_row;
    let mut sql = format!("INSERT INTO {} ({names}) VALUES ", ident(table)?);
    let mut n = 0;
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..per_row {
            if c > 0 {
                sql.push_str(", ");
            }
            n += 1;
            sql.push_str(&format!("${n}"));
        }
        sql.push(')');
    }
    match tx.conn() {
        Conn::Sqlite(c) => {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind_all(vals)
                .execute(&mut *c)
                .await?;
        }
        Conn::Pg(c) => {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind_all(vals)
                .execute(&mut *c)
                .await?;
        }
    }
    Ok(())
}
