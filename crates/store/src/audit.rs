//! The audit trail: append-only, hash-chained per practice.
//!
//! Writes append their event inside their own transaction. Reads of patient data send their
//! event to the [`Sink`], a single writer that commits whatever events are queued in one
//! transaction (group commit) and only then lets the request return its data: an event per
//! read costs one fsync per batch, not per request. If the event cannot be written, the read
//! fails and returns nothing.
//!
//! A web request runs in a [`Store::audited_request`] scope: its reads are collected and
//! recorded when it ends, before its response leaves, as one event per patient shown (a chart
//! reads demographics, alerts, episodes and scores: one `patient.read`), and not at all for a
//! patient that the request also changed (the write's event, committed with the change, stands
//! for the request). So one request leaves one event, whatever the handler reads to answer it.

use crate::db::{Conn, Tx, args};
use crate::error::{Result, StoreError};
use crate::{Store, Writer};
use serde::Serialize;
use sha2::{Digest, Sha256};
pub use stepwise_domain::audit::{AuditAction, AuditCategory, AuditOutcome};
use stepwise_domain::ids::{AuditEventId, PatientId, PracticeId, UserId};
use stepwise_domain::role::Role;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

/// One audit event. `detail` never holds PHI: ids and counts only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEvent {
    /// The nil id for events outside any practice (an unknown account's failed sign-in).
    pub practice: PracticeId,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub user: Option<UserId>,
    pub role: Option<Role>,
    pub patient: Option<PatientId>,
    pub action: AuditAction,
    pub category: AuditCategory,
    pub outcome: AuditOutcome,
    pub request_id: String,
    /// Where the request came from: the client address, or `cli`.
    pub source: String,
    pub detail: String,
}

/// The practice id used for events that belong to no practice.
pub const NO_PRACTICE: PracticeId = PracticeId::from_uuid(Uuid::nil());

#[derive(sqlx::FromRow)]
struct Head {
    seq: i64,
    hash: String,
}

/// The chain hash of an event: SHA-256 over the previous hash and every field,
/// each length-prefixed so that no two different events can serialize alike.
fn chain_hash(prev_hash: &str, seq: i64, id: Uuid, ev: &AuditEvent) -> String {
    let mut h = Sha256::new();
    let mut field = |bytes: &[u8]| {
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    };
    let at = ev.at.format(&Rfc3339).unwrap_or_default();
    let opt = |u: Option<Uuid>| u.map(|u| u.to_string()).unwrap_or_default();
    field(prev_hash.as_bytes());
    field(&seq.to_le_bytes());
    field(id.as_bytes());
    field(ev.practice.as_uuid().as_bytes());
    field(at.as_bytes());
    field(opt(ev.user.map(|u| u.as_uuid())).as_bytes());
    field(ev.role.map(|r| r.code()).unwrap_or("").as_bytes());
    field(opt(ev.patient.map(|p| p.as_uuid())).as_bytes());
    field(ev.action.code().as_bytes());
    field(ev.category.code().as_bytes());
    field(ev.outcome.code().as_bytes());
    field(ev.request_id.as_bytes());
    field(ev.source.as_bytes());
    field(ev.detail.as_bytes());
    hex::encode(h.finalize())
}

/// Append an event to its practice's chain inside `tx`. Taking the head row with an UPDATE
/// serializes appends (a row lock on PostgreSQL, the write lock on SQLite).
pub(crate) async fn append(tx: &mut Tx, ev: &AuditEvent) -> Result<AuditEventId> {
    let _ = SCOPE.try_with(|s| s.borrow_mut().pending.push(ev.patient));
    let ids = append_all(tx, ev.practice, &[ev]).await?;
    ids.into_iter().next().ok_or(StoreError::AuditUnavailable)
}

/// Append events of one practice to its chain, in order, inside `tx`: the chain head is
/// taken and advanced once for all of them (the group commit of reads appends many at once).
async fn append_all(
    tx: &mut Tx,
    practice: PracticeId,
    events: &[&AuditEvent],
) -> Result<Vec<AuditEventId>> {
    let n = events.len() as i64;
    if n == 0 {
        return Ok(Vec::new());
    }
    let head: Head = match tx
        .fetch_optional(
            "UPDATE audit_heads SET seq = seq + $2 WHERE practice_id = $1 RETURNING seq, hash",
            args![practice, n],
        )
        .await?
    {
        Some(h) => h,
        None => {
            tx.execute(
                "INSERT INTO audit_heads (practice_id, seq, hash) VALUES ($1, $2, '')",
                args![practice, n],
            )
            .await?;
            Head {
                seq: n,
                hash: String::new(),
            }
        }
    };
    let mut seq = head.seq - n;
    let mut prev = head.hash;
    let mut ids = Vec::with_capacity(events.len());
    for ev in events {
        debug_assert_eq!(ev.practice, practice);
        seq += 1;
        let id = Uuid::now_v7();
        let hash = chain_hash(&prev, seq, id, ev);
        tx.execute(
            "INSERT INTO audit_events (id, practice_id, seq, at, user_id, role, patient_id, action, \
             category, outcome, request_id, source, detail, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
            args![
                id,
                ev.practice,
                seq,
                ev.at,
                ev.user,
                ev.role.map(Role::code),
                ev.patient,
                ev.action.code(),
                ev.category.code(),
                ev.outcome.code(),
                ev.request_id.as_str(),
                ev.source.as_str(),
                ev.detail.as_str(),
                prev.as_str(),
                hash.as_str()
            ],
        )
        .await?;
        prev = hash;
        ids.push(AuditEventId::from_uuid(id));
    }
    tx.execute(
        "UPDATE audit_heads SET hash = $2 WHERE practice_id = $1",
        args![practice, prev],
    )
    .await?;
    Ok(ids)
}

/// What a request has recorded so far (see the module's documentation).
#[derive(Default)]
struct Scope {
    /// Its reads, recorded when it ends.
    reads: Vec<AuditEvent>,
    /// The patients (`None`: none) named by the events of its committed writes.
    written: Vec<Option<PatientId>>,
    /// Named by the events of its open transaction, until it commits.
    pending: Vec<Option<PatientId>>,
}

tokio::task_local! {
    static SCOPE: std::cell::RefCell<Scope>;
}

/// A transaction begins: events of one that never committed do not count.
pub(crate) fn scope_begin() {
    let _ = SCOPE.try_with(|s| s.borrow_mut().pending.clear());
}

/// A transaction committed: its events count.
pub(crate) fn scope_commit() {
    let _ = SCOPE.try_with(|s| {
        let mut s = s.borrow_mut();
        let done: Vec<_> = s.pending.drain(..).collect();
        s.written.extend(done);
    });
}

/// The events that record a request's reads: one per patient (and one for those that name no
/// patient), the first read of each with the most sensitive category of them and the others
/// named in its detail; none for a patient that the request's writes name.
fn merge_reads(scope: Scope) -> Vec<AuditEvent> {
    let mut out: Vec<(AuditEvent, Vec<AuditAction>)> = Vec::new();
    for ev in scope.reads {
        if scope.written.contains(&ev.patient) {
            continue;
        }
        match out
            .iter_mut()
            .find(|(o, _)| o.practice == ev.practice && o.patient == ev.patient)
        {
            Some((o, also)) => {
                if ev.category.sensitivity() > o.category.sensitivity() {
                    o.category = ev.category;
                }
                also.push(ev.action);
            }
            None => out.push((ev, Vec::new())),
        }
    }
    out.into_iter()
        .map(|(mut ev, also)| {
            if !also.is_empty() {
                let also: Vec<&str> = also.iter().map(|a| a.code()).collect();
                let sep = if ev.detail.is_empty() { "" } else { "; " };
                ev.detail = format!("{}{sep}also {}", ev.detail, also.join(", "));
            }
            ev
        })
        .collect()
}

enum Msg {
    Event(Box<AuditEvent>, oneshot::Sender<bool>),
    Close(oneshot::Sender<()>),
}

/// The group-commit audit writer for reads.
pub(crate) struct Sink {
    tx: mpsc::Sender<Msg>,
}

/// Most events committed in one transaction.
const BATCH: usize = 512;

impl Sink {
    pub(crate) fn spawn(writer: Writer) -> Sink {
        let (tx, mut rx) = mpsc::channel::<Msg>(4096);
        tokio::spawn(async move {
            let mut batch: Vec<(Box<AuditEvent>, oneshot::Sender<bool>)> = Vec::new();
            let mut closing: Option<oneshot::Sender<()>> = None;
            while closing.is_none() {
                match rx.recv().await {
                    None => break,
                    Some(Msg::Close(done)) => closing = Some(done),
                    Some(Msg::Event(ev, ack)) => batch.push((ev, ack)),
                }
                while batch.len() < BATCH && closing.is_none() {
                    match rx.try_recv() {
                        Ok(Msg::Event(ev, ack)) => batch.push((ev, ack)),
                        Ok(Msg::Close(done)) => closing = Some(done),
                        Err(_) => break,
                    }
                }
                if batch.is_empty() {
                    continue;
                }
                let ok = match write_batch(&writer, &batch).await {
                    Ok(()) => true,
                    Err(e) => {
                        tracing::error!(error = %e, events = batch.len(), "audit events could not be written; the reads they record were refused");
                        false
                    }
                };
                for (_, ack) in batch.drain(..) {
                    let _ = ack.send(ok);
                }
            }
            rx.close();
            if let Some(done) = closing {
                let _ = done.send(());
            }
        });
        Sink { tx }
    }

    /// Record an event and wait until it is durable.
    pub(crate) async fn record(&self, ev: AuditEvent) -> Result<()> {
        let (ack, done) = oneshot::channel();
        self.tx
            .send(Msg::Event(Box::new(ev), ack))
            .await
            .map_err(|_| StoreError::AuditUnavailable)?;
        match done.await {
            Ok(true) => Ok(()),
            _ => Err(StoreError::AuditUnavailable),
        }
    }

    pub(crate) async fn close(&self) {
        let (done, wait) = oneshot::channel();
        if self.tx.send(Msg::Close(done)).await.is_ok() {
            let _ = wait.await;
        }
    }
}

async fn write_batch(
    writer: &Writer,
    batch: &[(Box<AuditEvent>, oneshot::Sender<bool>)],
) -> Result<()> {
    let mut tx = writer.begin().await?;
    // Each practice's events in the order they came, its chain head advanced once.
    let mut practices: Vec<PracticeId> = Vec::new();
    for (ev, _) in batch {
        if !practices.contains(&ev.practice) {
            practices.push(ev.practice);
        }
    }
    for practice in practices {
        let events: Vec<&AuditEvent> = batch
            .iter()
            .map(|(ev, _)| &**ev)
            .filter(|ev| ev.practice == practice)
            .collect();
        append_all(&mut tx, practice, &events).await?;
    }
    tx.commit().await
}

/// The result of checking a practice's chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainReport {
    pub practice: PracticeId,
    pub events: u64,
    /// Every problem found, in chain order; empty when the chain is intact.
    pub problems: Vec<String>,
}

impl ChainReport {
    pub fn is_intact(&self) -> bool {
        self.problems.is_empty()
    }
}

#[derive(sqlx::FromRow)]
struct StoredEvent {
    id: Uuid,
    practice_id: Uuid,
    seq: i64,
    at: OffsetDateTime,
    user_id: Option<Uuid>,
    role: Option<String>,
    patient_id: Option<Uuid>,
    action: String,
    category: String,
    outcome: String,
    request_id: String,
    source: String,
    detail: String,
    prev_hash: String,
    hash: String,
}

impl StoredEvent {
    fn event(&self) -> Result<AuditEvent> {
        let c = StoreError::corrupt;
        Ok(AuditEvent {
            practice: PracticeId::from_uuid(self.practice_id),
            at: self.at,
            user: self.user_id.map(UserId::from_uuid),
            role: self
                .role
                .as_deref()
                .map(Role::parse)
                .transpose()
                .map_err(c)?,
            patient: self.patient_id.map(PatientId::from_uuid),
            action: AuditAction::parse(&self.action).map_err(c)?,
            category: AuditCategory::parse(&self.category).map_err(c)?,
            outcome: AuditOutcome::parse(&self.outcome).map_err(c)?,
            request_id: self.request_id.clone(),
            source: self.source.clone(),
            detail: self.detail.clone(),
        })
    }
}

/// An event as listed in audit reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredAuditEvent {
    pub id: AuditEventId,
    pub seq: i64,
    #[serde(flatten)]
    pub event: AuditEvent,
}

const PAGE: i64 = 5000;

/// The audit report's filter as the store applies it: each part optional, the period as
/// instants (`from` included, `to` excluded), computed by the caller from the practice's
/// calendar.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub user: Option<UserId>,
    pub patient: Option<PatientId>,
    pub action: Option<AuditAction>,
    pub from: Option<OffsetDateTime>,
    pub to: Option<OffsetDateTime>,
}

impl Store {
    /// Record an event that is not part of a write: the audit of a read, a failed sign-in,
    /// a refused request. Returns once it is durable; inside [`Store::audited_request`], a
    /// successful read is kept for the end of the request.
    pub async fn audit(&self, ev: AuditEvent) -> Result<()> {
        let mut ev = Some(ev);
        if ev
            .as_ref()
            .is_some_and(|e| e.action.is_read() && e.outcome == AuditOutcome::Success)
        {
            let _ = SCOPE.try_with(|s| {
                if let Some(e) = ev.take() {
                    s.borrow_mut().reads.push(e);
                }
            });
        }
        match ev {
            Some(ev) => self.audit_sink().record(ev).await,
            None => Ok(()),
        }
    }

    /// Run one request (`work`) with its audit collected, then record its reads (see the
    /// module's documentation) and return once they are durable. An `Err` means they could not
    /// be written: the caller must not send what the request read.
    pub async fn audited_request<T>(&self, work: impl Future<Output = T>) -> (T, Result<()>) {
        let (out, scope) = SCOPE
            .scope(std::cell::RefCell::new(Scope::default()), async {
                let out = work.await;
                let scope = SCOPE.with(|s| s.take());
                (out, scope)
            })
            .await;
        let mut written = Ok(());
        for ev in merge_reads(scope) {
            if let Err(e) = self.audit_sink().record(ev).await {
                written = Err(e);
            }
        }
        (out, written)
    }

    /// The practices that have an audit chain (including the nil practice).
    pub async fn audit_practices(&self) -> Result<Vec<PracticeId>> {
        let mut c = self.read().await?;
        let rows: Vec<crate::db::One<Uuid>> = c
            .conn()
            .fetch_all(
                "SELECT practice_id FROM audit_heads ORDER BY practice_id",
                args![],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| PracticeId::from_uuid(r.0))
            .collect())
    }

    /// Recompute a practice's chain and compare it with what is stored: detects edited,
    /// deleted, inserted and reordered events.
    pub async fn verify_audit_chain(&self, practice: PracticeId) -> Result<ChainReport> {
        let mut c = self.read().await?;
        verify_chain(&mut c.conn(), practice).await
    }

    /// A practice's audit events in chain order, from `after_seq` on (for reports and tests).
    pub async fn audit_events(
        &self,
        practice: PracticeId,
        after_seq: i64,
        limit: i64,
    ) -> Result<Vec<StoredAuditEvent>> {
        let mut c = self.read().await?;
        let rows: Vec<StoredEvent> = c
            .conn()
            .fetch_all(
                "SELECT id, practice_id, seq, at, user_id, role, patient_id, action, category, \
                 outcome, request_id, source, detail, prev_hash, hash FROM audit_events \
                 WHERE practice_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
                args![practice, after_seq, limit],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(StoredAuditEvent {
                    id: AuditEventId::from_uuid(r.id),
                    seq: r.seq,
                    event: r.event()?,
                })
            })
            .collect()
    }

    /// The audit report: a practice's events matching `filter`, newest first, `limit` at most,
    /// those before the chain position `before_seq` (keyset paging: the next page starts
    /// where the last one ended, whatever is appended meanwhile).
    pub async fn audit_report(
        &self,
        practice: PracticeId,
        filter: &AuditFilter,
        before_seq: Option<i64>,
        limit: i64,
    ) -> Result<Vec<StoredAuditEvent>> {
        let mut c = self.read().await?;
        let action = filter.action.map(AuditAction::code);
        let rows: Vec<StoredEvent> = c
            .conn()
            .fetch_all(
                "SELECT id, practice_id, seq, at, user_id, role, patient_id, action, category, \
                 outcome, request_id, source, detail, prev_hash, hash FROM audit_events \
                 WHERE practice_id = $1 AND seq < $2 \
                 AND ($3 IS NULL OR user_id = $3) AND ($4 IS NULL OR patient_id = $4) \
                 AND ($5 IS NULL OR action = $5) AND ($6 IS NULL OR at >= $6) \
                 AND ($7 IS NULL OR at < $7) \
                 ORDER BY seq DESC LIMIT $8",
                args![
                    practice,
                    before_seq.unwrap_or(i64::MAX),
                    filter.user,
                    filter.patient,
                    action,
                    filter.from,
                    filter.to,
                    limit.max(0)
                ],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(StoredAuditEvent {
                    id: AuditEventId::from_uuid(r.id),
                    seq: r.seq,
                    event: r.event()?,
                })
            })
            .collect()
    }
}

/// [`Store::verify_audit_chain`] on a given connection (inside a restore's transaction too).
pub(crate) async fn verify_chain(c: &mut Conn<'_>, practice: PracticeId) -> Result<ChainReport> {
    let head: Option<Head> = c
        .fetch_optional(
            "SELECT seq, hash FROM audit_heads WHERE practice_id = $1",
            args![practice],
        )
        .await?;
    let mut verifier = ChainVerifier::new(practice);
    loop {
        let page: Vec<StoredEvent> = c
            .fetch_all(
                "SELECT id, practice_id, seq, at, user_id, role, patient_id, action, category, \
                     outcome, request_id, source, detail, prev_hash, hash FROM audit_events \
                     WHERE practice_id = $1 AND seq >= $2 ORDER BY seq LIMIT $3",
                args![practice, verifier.expected_seq, PAGE],
            )
            .await?;
        let n = page.len() as i64;
        for row in page {
            let event = row.event();
            verifier.push(row.seq, row.id, &row.prev_hash, row.hash, event);
        }
        if n < PAGE {
            break;
        }
    }
    Ok(verifier.finish(head.map(|h| (h.seq, h.hash))))
}

/// The check of one practice's chain, fed its stored events in `seq` order: each must follow
/// the one before it (`seq` and `prev_hash`) and hash to what was stored, and the last must be
/// the chain head. Pure, so that tampering can be tried exhaustively (`tests::tamper`).
struct ChainVerifier {
    report: ChainReport,
    prev_hash: String,
    expected_seq: i64,
}

impl ChainVerifier {
    fn new(practice: PracticeId) -> Self {
        ChainVerifier {
            report: ChainReport {
                practice,
                events: 0,
                problems: Vec::new(),
            },
            prev_hash: String::new(),
            expected_seq: 1,
        }
    }

    fn push(
        &mut self,
        seq: i64,
        id: Uuid,
        prev_hash: &str,
        hash: String,
        event: Result<AuditEvent>,
    ) {
        let report = &mut self.report;
        report.events += 1;
        if seq != self.expected_seq {
            report.problems.push(format!(
                "event {} is missing (next stored event is {seq})",
                self.expected_seq
            ));
        }
        if prev_hash != self.prev_hash {
            report.problems.push(format!(
                "event {seq} does not follow the event before it (chain broken)"
            ));
        }
        let recomputed = match event {
            Ok(ev) if ev.practice == report.practice => chain_hash(prev_hash, seq, id, &ev),
            Ok(_) => "moved from another practice".to_owned(),
            Err(e) => format!("unreadable: {e}"),
        };
        if recomputed != hash {
            report
                .problems
                .push(format!("event {seq} was altered after it was written"));
        }
        self.prev_hash = hash;
        self.expected_seq = seq + 1;
    }

    /// `head`: the chain head's `seq` and hash, if the practice has one.
    fn finish(mut self, head: Option<(i64, String)>) -> ChainReport {
        let last = self.expected_seq - 1;
        match head {
            Some((seq, _)) if seq != last => self.report.problems.push(format!(
                "the chain head records {seq} events but {last} are stored (events removed or added at the end)"
            )),
            Some((_, hash)) if hash != self.prev_hash => self
                .report
                .problems
                .push("the last event does not match the chain head".into()),
            None if last > 0 => self
                .report
                .problems
                .push("events exist but the chain head is missing".into()),
            _ => {}
        }
        self.report
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A stored event as the verifier reads it.
    #[derive(Debug, Clone)]
    struct Row {
        seq: i64,
        id: Uuid,
        prev_hash: String,
        hash: String,
        event: AuditEvent,
    }

    const PRACTICE: PracticeId = PracticeId::from_uuid(Uuid::from_u128(7));

    fn event(n: u64, detail: &str) -> AuditEvent {
        AuditEvent {
            practice: PRACTICE,
            at: OffsetDateTime::from_unix_timestamp(1_790_000_000 + n as i64).unwrap(),
            user: Some(UserId::from_uuid(Uuid::from_u128(u128::from(n % 3) + 1))),
            role: Some(Role::ALL[(n % Role::ALL.len() as u64) as usize]),
            patient: n
                .is_multiple_of(2)
                .then(|| PatientId::from_uuid(Uuid::from_u128(u128::from(n)))),
            action: AuditAction::ALL[(n % AuditAction::ALL.len() as u64) as usize],
            category: AuditCategory::ALL[(n % AuditCategory::ALL.len() as u64) as usize],
            outcome: AuditOutcome::Success,
            request_id: format!("req-{n}"),
            source: "127.0.0.1".into(),
            detail: detail.into(),
        }
    }

    /// A chain as `append_all` writes it, and its head.
    fn chain(details: &[String]) -> (Vec<Row>, Option<(i64, String)>) {
        let mut prev = String::new();
        let rows: Vec<Row> = details
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let seq = i as i64 + 1;
                let id = Uuid::from_u128(1000 + i as u128);
                let ev = event(i as u64, d);
                let hash = chain_hash(&prev, seq, id, &ev);
                Row {
                    seq,
                    id,
                    prev_hash: std::mem::replace(&mut prev, hash.clone()),
                    hash,
                    event: ev,
                }
            })
            .collect();
        let head = rows.last().map(|r| (r.seq, r.hash.clone()));
        (rows, head)
    }

    fn verify(rows: &[Row], head: Option<(i64, String)>) -> ChainReport {
        let mut v = ChainVerifier::new(PRACTICE);
        for r in rows {
            v.push(
                r.seq,
                r.id,
                &r.prev_hash,
                r.hash.clone(),
                Ok(r.event.clone()),
            );
        }
        v.finish(head)
    }

    /// What an attacker with write access to the table (not to the head) can do.
    #[derive(Debug, Clone)]
    enum Tamper {
        /// Change one field of one event, leaving its stored hash.
        Edit {
            at: usize,
            field: u8,
        },
        /// Change a field and store a hash recomputed for the change (the next event, and the
        /// head, still name the old one).
        EditAndRehash {
            at: usize,
            field: u8,
        },
        Delete {
            at: usize,
        },
        Swap {
            a: usize,
            b: usize,
        },
        /// A forged event, hashed as if it belonged at `at`.
        Insert {
            at: usize,
        },
        /// The newest events removed.
        Truncate {
            keep: usize,
        },
    }

    fn edit(ev: &mut AuditEvent, field: u8) {
        match field % 9 {
            0 => ev.detail.push('x'),
            1 => ev.at += time::Duration::seconds(1),
            2 => ev.user = Some(UserId::from_uuid(Uuid::from_u128(99))),
            3 => ev.patient = Some(PatientId::from_uuid(Uuid::from_u128(98))),
            4 => {
                ev.action = if ev.action == AuditAction::PatientRead {
                    AuditAction::SignIn
                } else {
                    AuditAction::PatientRead
                }
            }
            5 => {
                ev.outcome = if ev.outcome == AuditOutcome::Denied {
                    AuditOutcome::Success
                } else {
                    AuditOutcome::Denied
                }
            }
            6 => ev.request_id.push('1'),
            7 => ev.source = "10.0.0.9".into(),
            _ => ev.role = None,
        }
    }

    fn tamper() -> impl Strategy<Value = Tamper> {
        prop_oneof![
            (any::<prop::sample::Index>(), any::<u8>()).prop_map(|(i, f)| Tamper::Edit {
                at: i.index(1 << 16),
                field: f
            }),
            (any::<prop::sample::Index>(), any::<u8>()).prop_map(|(i, f)| Tamper::EditAndRehash {
                at: i.index(1 << 16),
                field: f
            }),
            any::<prop::sample::Index>().prop_map(|i| Tamper::Delete {
                at: i.index(1 << 16)
            }),
            (any::<prop::sample::Index>(), any::<prop::sample::Index>()).prop_map(|(a, b)| {
                Tamper::Swap {
                    a: a.index(1 << 16),
                    b: b.index(1 << 16),
                }
            }),
            any::<prop::sample::Index>().prop_map(|i| Tamper::Insert {
                at: i.index(1 << 16)
            }),
            any::<prop::sample::Index>().prop_map(|i| Tamper::Truncate {
                keep: i.index(1 << 16)
            }),
        ]
    }

    /// Apply `t` to a chain of `n` events; `false` when it would change nothing (a swap of an
    /// event with itself).
    fn apply(rows: &mut Vec<Row>, t: &Tamper) -> bool {
        let n = rows.len();
        match *t {
            Tamper::Edit { at, field } => edit(&mut rows[at % n].event, field),
            Tamper::EditAndRehash { at, field } => {
                let r = &mut rows[at % n];
                edit(&mut r.event, field);
                r.hash = chain_hash(&r.prev_hash, r.seq, r.id, &r.event);
            }
            Tamper::Delete { at } => {
                rows.remove(at % n);
            }
            Tamper::Swap { a, b } => {
                let (a, b) = (a % n, b % n);
                if a == b {
                    return false;
                }
                rows.swap(a, b);
            }
            Tamper::Insert { at } => {
                let at = at % (n + 1);
                let (seq, prev) = match at {
                    0 => (1, String::new()),
                    _ => (rows[at - 1].seq + 1, rows[at - 1].hash.clone()),
                };
                let ev = event(77, "forged");
                let id = Uuid::from_u128(5);
                let hash = chain_hash(&prev, seq, id, &ev);
                rows.insert(
                    at,
                    Row {
                        seq,
                        id,
                        prev_hash: prev,
                        hash,
                        event: ev,
                    },
                );
            }
            Tamper::Truncate { keep } => rows.truncate(keep % n),
        }
        true
    }

    proptest! {
        /// An untouched chain verifies; any one tampering of the table is reported.
        #[test]
        fn every_tampering_is_detected(
            details in prop::collection::vec("[a-z ]{0,12}", 1..40),
            t in tamper(),
        ) {
            let (mut rows, head) = chain(&details);
            prop_assert!(verify(&rows, head.clone()).is_intact());
            if apply(&mut rows, &t) {
                let report = verify(&rows, head);
                prop_assert!(!report.is_intact(), "{t:?} went unnoticed");
            }
        }
    }

    #[test]
    fn an_event_moved_from_another_practice_is_reported() {
        let (mut rows, head) = chain(&["a".into(), "b".into()]);
        rows[1].event.practice = PracticeId::from_uuid(Uuid::from_u128(8));
        rows[1].hash = chain_hash(&rows[1].prev_hash, 2, rows[1].id, &rows[1].event);
        let head = head.map(|(s, _)| (s, rows[1].hash.clone()));
        assert!(!verify(&rows, head).is_intact());
    }
}
