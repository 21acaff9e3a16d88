//! Clinical records are never destroyed: a wrong record is marked entered-in-error with a
//! reason, and a correction is a new record that names the one it replaces.

use crate::codes::code_enum;

code_enum! {
    pub enum RecordStatus ("record status") {
        Final = "final",
        EnteredInError = "entered_in_error",
    }
}
