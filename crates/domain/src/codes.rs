//! Closed sets of codes (roles, statuses, kinds) stored as short text and sent as JSON strings.

/// Declares an enum whose variants each have a stable text code, used in the database, the
/// API and the CLI. The code is the contract; the variant name is free to change.
macro_rules! code_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident ($kind:literal) {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $code)] $variant ),*
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The stable text code.
            pub const fn code(self) -> &'static str {
                match self { $($name::$variant => $code),* }
            }

            /// Parse a text code.
            pub fn parse(s: &str) -> Result<Self, $crate::error::UnknownCode> {
                match s {
                    $($code => Ok($name::$variant),)*
                    _ => Err($crate::error::UnknownCode { kind: $kind, value: s.to_owned() }),
                }
            }

            /// The allowed codes, for error messages.
            pub fn allowed() -> String {
                [$($code),*].join(", ")
            }
        }

        /// A string with one of the codes: written by hand because the derive does not see the
        /// `serde(rename)` of a macro's literal and documented the variant names instead.
        /// (`PartialSchema` comes from this through utoipa's blanket implementation.)
        #[cfg(feature = "openapi")]
        impl utoipa::__dev::ComposeSchema for $name {
            fn compose(
                _: Vec<utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>>,
            ) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($code),*]))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::error::UnknownCode;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::error::UnknownCode;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s)
            }
        }
    };
}

pub(crate) use code_enum;
