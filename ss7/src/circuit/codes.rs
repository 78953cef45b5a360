//! `code_enum!`: an enum for a field of code points, with an `Unknown(raw)` variant so that
//! values this stack does not name still round-trip (smoltcp's `enum_with_unknown`).

/// Declares `enum $name` over codes of type `$ty` with `from_code`, `code` and `name`.
/// `Unknown` holds codes that are not listed; construct it only with such codes.
macro_rules! code_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident : $ty:ty {
            $( $(#[$doc:meta])* $variant:ident = $value:literal, $text:literal; )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $name {
            $( $(#[$doc])* $variant, )*
            /// A code this stack does not name, kept as received.
            Unknown($ty),
        }

        impl $name {
            /// The value for `code`.
            pub const fn from_code(code: $ty) -> Self {
                match code {
                    $( $value => Self::$variant, )*
                    other => Self::Unknown(other),
                }
            }

            /// The code on the wire.
            pub const fn code(self) -> $ty {
                match self {
                    $( Self::$variant => $value, )*
                    Self::Unknown(code) => code,
                }
            }

            /// The standard's name or acronym, `"unknown"` for other codes.
            pub const fn name(self) -> &'static str {
                match self {
                    $( Self::$variant => $text, )*
                    Self::Unknown(_) => "unknown",
                }
            }
        }
    };
}

pub(crate) use code_enum;
