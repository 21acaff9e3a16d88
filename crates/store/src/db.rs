//! The engine-neutral query layer: each query is written once, with `$1` placeholders, and run
//! on SQLite or PostgreSQL by a `match` over the engine. Values are bound through [`Val`], so a
//! query's text never changes with its arguments (no SQL is ever built from input).

use crate::error::StoreError;
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::query::{Query, QueryAs};
use sqlx::sqlite::{SqliteArguments, SqliteRow};
use sqlx::{FromRow, PgConnection, Postgres, Sqlite, SqliteConnection};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

/// A bound value. `None` binds a typed NULL.
#[derive(Debug, Clone)]
pub(crate) enum Val {
    Uuid(Option<Uuid>),
    Text(Option<String>),
    Int(Option<i64>),
    Bool(Option<bool>),
    Date(Option<Date>),
    Time(Option<OffsetDateTime>),
}

macro_rules! val_from {
    ($($t:ty => $v:ident $(, $conv:expr)?);* $(;)?) => {$(
        impl From<$t> for Val {
            fn from(x: $t) -> Val { Val::$v(Some(val_from!(@conv x $(, $conv)?))) }
        }
        impl From<Option<$t>> for Val {
            fn from(x: Option<$t>) -> Val { Val::$v(x.map(|x| val_from!(@conv x $(, $conv)?))) }
        }
    )*};
    (@conv $x:ident) => { $x };
    (@conv $x:ident, $conv:expr) => { ($conv)($x) };
}

val_from! {
    Uuid => Uuid;
    String => Text;
    &str => Text, |s: &str| s.to_owned();
    i64 => Int;
    u32 => Int, i64::from;
    u16 => Int, i64::from;
    u8 => Int, i64::from;
    bool => Bool;
    Date => Date;
    OffsetDateTime => Time;
}

macro_rules! typed_id_vals {
    ($($t:ty),*) => {$(
        impl From<$t> for Val {
            fn from(x: $t) -> Val { Val::Uuid(Some(x.as_uuid())) }
        }
        impl From<Option<$t>> for Val {
            fn from(x: Option<$t>) -> Val { Val::Uuid(x.map(|x| x.as_uuid())) }
        }
    )*};
}

use stepwise_domain::ids::*;
typed_id_vals!(
    PracticeId,
    SiteId,
    UserId,
    PatientId,
    EpisodeId,
    ConsentId,
    ContactId,
    AssessmentId,
    CaseReviewId,
    RecommendationId,
    TokenId,
    AuditEventId,
    SafetyAlertId,
    TaskId,
    BreakGlassId,
    ReferralId,
    BaselineId,
    Part2ConsentId
);

/// Arguments of one query: `args![a, b, c]`.
macro_rules! args {
    ($($v:expr),* $(,)?) => { &[$($crate::db::Val::from($v)),*] };
}
pub(crate) use args;

/// A connection of either engine (from a pool or inside a transaction).
pub(crate) enum Conn<'c> {
    Sqlite(&'c mut SqliteConnection),
    Pg(&'c mut PgConnection),
}

/// Binding of [`Val`]s, the same for queries of both engines and both result shapes.
pub(crate) trait BindAll<'q>: Sized {
    fn bind_all(self, args: &'q [Val]) -> Self;
}

macro_rules! impl_bind_all {
    ($([$($g:ident)?] $ty:ty),* $(,)?) => {$(
        impl<'q $(, $g)?> BindAll<'q> for $ty {
            fn bind_all(mut self, args: &'q [Val]) -> Self {
                for a in args {
                    self = match a {
                        Val::Uuid(v) => self.bind(*v),
                        Val::Text(v) => self.bind(v.as_deref()),
                        Val::Int(v) => self.bind(*v),
                        Val::Bool(v) => self.bind(*v),
                        Val::Date(v) => self.bind(*v),
                        Val::Time(v) => self.bind(*v),
                    };
                }
                self
            }
        }
    )*};
}

impl_bind_all!(
    [O] QueryAs<'q, Sqlite, O, SqliteArguments>,
    [O] QueryAs<'q, Postgres, O, PgArguments>,
    [] Query<'q, Sqlite, SqliteArguments>,
    [] Query<'q, Postgres, PgArguments>,
);

/// A row type readable from both engines.
pub(crate) trait Row:
    for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}
impl<T> Row for T where T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{}

impl Conn<'_> {
    pub(crate) async fn fetch_all<T: Row>(
        &mut self,
        sql: &'static str,
        args: &[Val],
    ) -> Result<Vec<T>, StoreError> {
        Ok(match self {
            Conn::Sqlite(c) => {
                sqlx::query_as::<Sqlite, T>(sql)
                    .bind_all(args)
                    .fetch_all(&mut **c)
                    .await?
            }
            Conn::Pg(c) => {
                sqlx::query_as::<Postgres, T>(sql)
                    .bind_all(args)
                    .fetch_all(&mut **c)
                    .await?
            }
        })
    }

    pub(crate) async fn fetch_optional<T: Row>(
        &mut self,
        sql: &'static str,
        args: &[Val],
    ) -> Result<Option<T>, StoreError> {
        Ok(match self {
            Conn::Sqlite(c) => {
                sqlx::query_as::<Sqlite, T>(sql)
                    .bind_all(args)
                    .fetch_optional(&mut **c)
                    .await?
            }
            Conn::Pg(c) => {
                sqlx::query_as::<Postgres, T>(sql)
                    .bind_all(args)
                    .fetch_optional(&mut **c)
                    .await?
            }
        })
    }

    /// Exactly one row, or [`StoreError::NotFound`].
    pub(crate) async fn fetch_one<T: Row>(
        &mut self,
        sql: &'static str,
        args: &[Val],
    ) -> Result<T, StoreError> {
        self.fetch_optional(sql, args)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Run a statement; returns the number of rows affected.
    pub(crate) async fn execute(
        &mut self,
        sql: &'static str,
        args: &[Val],
    ) -> Result<u64, StoreError> {
        Ok(match self {
            Conn::Sqlite(c) => sqlx::query::<Sqlite>(sql)
                .bind_all(args)
                .execute(&mut **c)
                .await?
                .rows_affected(),
            Conn::Pg(c) => sqlx::query::<Postgres>(sql)
                .bind_all(args)
                .execute(&mut **c)
                .await?
                .rows_affected(),
        })
    }
}

/// A write transaction of either engine. Dropped without [`Tx::commit`], it rolls back.
pub(crate) enum Tx {
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    Pg(sqlx::Transaction<'static, Postgres>),
}

impl Tx {
    pub(crate) fn conn(&mut self) -> Conn<'_> {
        match self {
            Tx::Sqlite(t) => Conn::Sqlite(&mut *t),
            Tx::Pg(t) => Conn::Pg(&mut *t),
        }
    }

    pub(crate) async fn commit(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Pg(t) => t.commit().await?,
        }
        crate::audit::scope_commit();
        Ok(())
    }

    pub(crate) async fn fetch_optional<T: Row>(
        &mut self,
        sql: &'static str,
        args: &[Val],
    ) -> Result<Option<T>, StoreError> {
        self.conn().fetch_optional(sql, args).await
    }

    pub(crate) async fn fetch_one<T: Row>(
        &mut self,
        sql: &'static str,
        args: &[Val],
    ) -> Result<T, StoreError> {
        self.conn().fetch_one(sql, args).await
    }

    pub(crate) async fn execute(
        &mut self,
        sql: &'static str,
        args: &[Val],
    ) -> Result<u64, StoreError> {
        self.conn().execute(sql, args).await
    }
}

/// One value in a one-column row.
#[derive(sqlx::FromRow)]
pub(crate) struct One<T>(pub T);
