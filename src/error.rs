//! Stable error codes and the one error type every layer returns.
//!
//! The code is the contract: the CLI prints it, the C ABI returns it in
//! `error.code`, and PowerShell uses it as the ErrorRecord's
//! FullyQualifiedErrorId. Messages may be reworded; codes may not be renamed.

use std::fmt;

macro_rules! error_codes {
    ($( $(#[doc = $doc:literal])* $name:ident => $category:ident, $kind:ident; )*) => {
        /// Every error the engine can report. Add new codes at the end of their group.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode { $( $(#[doc = $doc])* $name, )* }

        impl ErrorCode {
            /// All codes, in declaration order (for documentation and tests).
            pub const ALL: &'static [ErrorCode] = &[ $( ErrorCode::$name, )* ];

            /// The stable code string.
            pub fn as_str(self) -> &'static str {
                match self { $( ErrorCode::$name => stringify!($name), )* }
            }

            /// What the code means (its documentation comment).
            pub fn description(self) -> &'static str {
                match self { $( ErrorCode::$name => concat!($($doc),*), )* }.trim()
            }

            /// The PowerShell `ErrorCategory` this code maps to.
            pub fn category(self) -> &'static str {
                match self { $( ErrorCode::$name => stringify!($category), )* }
            }

            /// Whether this is a usage error (CLI exit status 2) rather than a
            /// failure of the command itself (exit status 1).
            pub fn is_usage(self) -> bool {
                match self { $( ErrorCode::$name => ErrorKind::$kind == ErrorKind::Usage, )* }
            }

            /// Whether this code records a refused authorisation (always audited).
            pub fn is_denial(self) -> bool {
                match self { $( ErrorCode::$name => ErrorKind::$kind == ErrorKind::Denial, )* }
            }

            pub fn parse(s: &str) -> Option<ErrorCode> {
                ErrorCode::ALL.iter().copied().find(|c| c.as_str().eq_ignore_ascii_case(s))
            }
        }
    };
}

#[derive(PartialEq, Eq)]
enum ErrorKind {
    Usage,
    Denial,
    Failure,
}

error_codes! {
    // ---- usage errors: the request itself is malformed (CLI exit 2) ----
    /// No command of that name is registered.
    CommandNotFound => ObjectNotFound, Usage;
    /// A parameter name matches no parameter of the command.
    ParameterNotFound => InvalidArgument, Usage;
    /// A parameter prefix matches more than one parameter.
    AmbiguousParameter => InvalidArgument, Usage;
    /// A parameter was given twice.
    ParameterAlreadyBound => InvalidArgument, Usage;
    /// A mandatory parameter is missing.
    MissingMandatoryParameter => InvalidArgument, Usage;
    /// A value cannot be converted to the parameter's type.
    ParameterBindingFailed => InvalidArgument, Usage;
    /// A value is outside the parameter's allowed set or range.
    ParameterValidationFailed => InvalidData, Usage;
    /// Parameters that exclude each other were combined, or none of a required group was given.
    ParameterSetConflict => InvalidArgument, Usage;
    /// A C ABI request is not the documented JSON shape.
    InvalidRequest => InvalidArgument, Usage;

    // ---- authorisation refusals: always written to the audit log ----
    /// The caller lacks the role or permission the operation needs.
    Forbidden => PermissionDenied, Denial;
    /// The key vault refused a key operation to the caller (missing data-plane permission).
    KeyVaultAccessDenied => PermissionDenied, Denial;
    /// The key vault's network rules refused the request.
    ForbiddenByFirewall => PermissionDenied, Denial;
    /// The caller may not use the enterprise policy: it needs the Reader role on it.
    EnterprisePolicyAccessDenied => PermissionDenied, Denial;

    // ---- failures of the operation ----
    /// Nobody is signed in for the side of the platform the command belongs to.
    NotSignedIn => AuthenticationError, Failure;
    /// The object named does not exist.
    NotFound => ObjectNotFound, Failure;
    /// An object with that name already exists.
    AlreadyExists => ResourceExists, Failure;
    /// A value is syntactically valid but not acceptable for this operation.
    InvalidArgument => InvalidArgument, Failure;
    /// The operation conflicts with the current state (duplicate, in use, last of its kind).
    Conflict => ResourceExists, Failure;
    /// The environment is locked because its key is not reachable.
    EnvironmentLocked => ResourceUnavailable, Failure;
    /// The environment is disabled while an encryption operation runs.
    EnvironmentDisabled => ResourceUnavailable, Failure;
    /// Another operation on the same object is running.
    OperationInProgress => ResourceBusy, Failure;
    /// Purge protection forbids purging before the scheduled purge date.
    PurgeProtected => InvalidOperation, Failure;
    /// A tenant or service limit would be exceeded.
    LimitExceeded => LimitsExceeded, Failure;
    /// The environment and the enterprise policy are in different regions.
    RegionMismatch => InvalidOperation, Failure;
    /// Customer-managed keys apply only to Managed Environments.
    NotManagedEnvironment => InvalidOperation, Failure;
    /// The environment type (Trial, Teams) cannot use a customer-managed key.
    UnsupportedEnvironmentType => InvalidOperation, Failure;
    /// The feature does not work with a customer-managed key (a documented limitation).
    UnsupportedWithCustomerManagedKey => InvalidOperation, Failure;
    /// A resource provider must be registered for the subscription first.
    ProviderNotRegistered => InvalidOperation, Failure;
    /// The operation is not allowed in the object's current state.
    InvalidOperation => InvalidOperation, Failure;
    /// A deployment template or parameter file is malformed; the message names the line or JSON path.
    InvalidTemplate => InvalidData, Failure;
    /// A tenant snapshot is malformed, truncated or of an unknown schema; the message names the file and the JSON path.
    InvalidSnapshot => InvalidData, Failure;
    /// The flow breaks a data loss prevention policy (the message names the rule).
    DlpPolicyViolation => PermissionDenied, Failure;
    /// Rows of a checking command reached the level given with -FailOn (pre-flight, post-flight).
    ChecksFailed => InvalidResult, Failure;
    /// A fault injected with Set-PpCmkFault stopped the operation (a rehearsal of a failure).
    FaultInjected => OperationStopped, Failure;
    /// The service is unavailable for a while (a vault taken offline or failing with Set-PpCmkFault): not a revocation; retry later.
    ServiceUnavailable => ResourceUnavailable, Failure;

    // ---- the store and the engine itself ----
    /// The store stayed busy past the retry budget (another process holds a long write).
    StoreBusy => ResourceBusy, Failure;
    /// The store could not be read or written.
    StoreError => WriteError, Failure;
    /// A key file is readable by other users, or its contents are wrong.
    InsecureKeyFile => SecurityError, Failure;
    /// The store was written by a newer ppcmk.
    StoreVersionTooNew => InvalidOperation, Failure;
    /// Reading or writing a file the user named failed.
    FileError => WriteError, Failure;
    /// A bug: the engine caught a panic or broke an invariant.
    Internal => NotSpecified, Failure;
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error with its stable code, a message in the documentation's terms, and
/// optionally the object it concerns.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct Error {
    pub code: ErrorCode,
    pub message: String,
    pub target: Option<String>,
    /// For a transient failure (`ServiceUnavailable`, `LimitExceeded`): how
    /// many seconds the caller should wait before retrying (`Retry-After`).
    pub retry_after: Option<u64>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Error {
        Error { code, message: message.into(), target: None, retry_after: None }
    }

    pub fn with_retry_after(mut self, seconds: u64) -> Error {
        self.retry_after = Some(seconds);
        self
    }

    pub fn with_target(mut self, target: impl Into<String>) -> Error {
        self.target = Some(target.into());
        self
    }

    /// `NotFound` for an object of a kind, e.g. `not_found("User", "bob@contoso...")`.
    pub fn not_found(kind: &str, name: &str) -> Error {
        Error::new(ErrorCode::NotFound, format!("{kind} '{name}' was not found.")).with_target(name)
    }

    pub fn invalid(message: impl Into<String>) -> Error {
        Error::new(ErrorCode::InvalidArgument, message)
    }

    pub fn forbidden(message: impl Into<String>) -> Error {
        Error::new(ErrorCode::Forbidden, message)
    }

    pub fn conflict(message: impl Into<String>) -> Error {
        Error::new(ErrorCode::Conflict, message)
    }

    pub fn internal(message: impl Into<String>) -> Error {
        Error::new(ErrorCode::Internal, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_parse_back() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            assert!(seen.insert(code.as_str()), "duplicate {code}");
            assert_eq!(ErrorCode::parse(code.as_str()), Some(*code));
        }
    }

    #[test]
    fn usage_and_denial_groups() {
        assert!(ErrorCode::MissingMandatoryParameter.is_usage());
        assert!(!ErrorCode::Forbidden.is_usage());
        assert!(ErrorCode::Forbidden.is_denial());
        assert!(ErrorCode::KeyVaultAccessDenied.is_denial());
        assert!(!ErrorCode::NotFound.is_denial());
        assert_eq!(ErrorCode::EnvironmentLocked.category(), "ResourceUnavailable");
    }
}
