//! What each MFC-R2 register signal means, per variant, as a table value.
//!
//! Signals are numbered 1 ..= 15 (Q.441's two-out-of-six pairs; `tdm_dsp::r2mf` holds the
//! frequencies). Their meaning depends on the direction and on the group the exchange is in:
//! forward group I (address digits, end of number, and in China the KA category), forward
//! group II (the ITU category, China's KD), backward group A (requests) and backward group B
//! (the called line's state). The register machines never name a signal number: they ask an
//! [`MfcTable`] which number carries a meaning and what a received number means, so ITU,
//! Brazil or an operator's own deviations are another table, not other code.
//!
//! | Meaning | China (GF 002-9002) | ITU (Q.441) | Brazil (OpenR2) |
//! |---|---|---|---|
//! | end of DNIS (I) | — (silence) | I-15 | — |
//! | end of ANI (I) | I-15 | I-15 | I-15 |
//! | ANI restricted (I) | — | I-12 (OpenR2) | I-12 |
//! | next digit (A) | A1 | A1 | A1 |
//! | next ANI digit (A) | A1 (after KA) | A5 (after the category) | A5 |
//! | resend digit n-1 / n-2 / n-3 (A) | A2 / — / — | A2 / A7 / A8 | A9 / A7 / A8 |
//! | resend from the first digit (A) | — | — | A2 |
//! | send category (A) | A6 (send KA and the calling number) | A5 | A5 |
//! | address complete, change to group B (A) | A3 | A3 | A3 |
//! | congestion (A) | A4 | A4 | A4 |
//! | address complete, charge, no group B (A) | — | A6 | — |
//! | unallocated number (A) | A5 | — | — |
//! | free, charge (B) | B1 | B6 | B1 |
//! | free, no charge (B) | B6 | B7 | B5 |
//! | busy (B) | B2 (local), B3 (toll) | B3 | B2 |
//! | congestion (B) | B4 | B4 | B4 |
//! | unallocated number (B) | B5 | B5 | B7 |
//! | out of order (B) | — | B8 | B8 |
//! | number changed (B) | — | — | B3 |
//! | special information tone (B) | — | B2 | B6 |
//!
//! China's A1, A3, A4, A6, B1, B2, B4 and B5 are confirmed by OpenR2's CN variant and
//! published call flows; A2, A5, B3 and B6 follow the Chinese secondary sources and are not
//! confirmed against GF 002-9002 (see `shared/reference/e1-china-signaling-facts.md` §2.3).

use core::fmt;
use tdm_base::Cause;

/// A backward group A meaning (a request to the calling end).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GroupA {
    /// Send the next address digit.
    NextDigit,
    /// Send the next calling-number digit.
    NextAniDigit,
    /// Send the last digit but one again (n-1), then carry on from there.
    ResendLastButOne,
    /// Send digit n-2 again.
    ResendLastButTwo,
    /// Send digit n-3 again.
    ResendLastButThree,
    /// Send the address again from the first digit.
    ResendAll,
    /// Send the calling party's category (China: KA, followed by the calling number).
    SendCategory,
    /// Address complete: send the group II signal (KD) and expect group B.
    ChangeToGroupB,
    /// Congestion: the call fails.
    Congestion,
    /// Address complete, charge, set up the speech path without group B.
    AddressCompleteCharge,
    /// Unallocated number: the call fails.
    Unallocated,
}

/// A backward group B meaning (the called line's state, ending register signaling).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GroupB {
    /// Called line free, call charged.
    FreeCharge,
    /// Called line free, no charge.
    FreeNoCharge,
    /// Called line busy.
    Busy,
    /// Called line busy on a toll connection (China B3).
    BusyToll,
    /// Congestion.
    Congestion,
    /// Unallocated number.
    Unallocated,
    /// Called line out of order.
    OutOfOrder,
    /// Number changed.
    NumberChanged,
    /// Send the special information tone.
    SpecialInfo,
}

impl GroupB {
    /// Whether the called line is free (the call goes on to ringing).
    pub fn is_free(self) -> bool {
        matches!(self, GroupB::FreeCharge | GroupB::FreeNoCharge)
    }

    /// The Q.850 cause a refused call ends with (`None` for the free signals).
    pub fn cause(self) -> Option<Cause> {
        match self {
            GroupB::FreeCharge | GroupB::FreeNoCharge => None,
            GroupB::Busy | GroupB::BusyToll => Some(Cause::UserBusy),
            GroupB::Congestion => Some(Cause::SwitchingEquipmentCongestion),
            GroupB::Unallocated => Some(Cause::UnallocatedNumber),
            GroupB::OutOfOrder => Some(Cause::DestinationOutOfOrder),
            GroupB::NumberChanged => Some(Cause::NumberChanged),
            GroupB::SpecialInfo => Some(Cause::SendSpecialInformationTone),
        }
    }

    /// The group B signal that best reports `cause` to a calling exchange.
    pub fn for_cause(cause: Cause) -> GroupB {
        match cause {
            Cause::UserBusy => GroupB::Busy,
            Cause::UnallocatedNumber | Cause::NoRouteToDestination => GroupB::Unallocated,
            Cause::NumberChanged => GroupB::NumberChanged,
            Cause::DestinationOutOfOrder => GroupB::OutOfOrder,
            Cause::SendSpecialInformationTone => GroupB::SpecialInfo,
            _ => GroupB::Congestion,
        }
    }
}

/// What a register signal meant where it was heard, for traces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Meaning {
    /// An address digit (DNIS) 0 ..= 9.
    Digit(u8),
    /// A calling-number digit (ANI) 0 ..= 9.
    AniDigit(u8),
    /// End of the called number.
    EndOfDnis,
    /// End of the calling number.
    EndOfAni,
    /// The calling number is restricted.
    AniRestricted,
    /// The calling party's category (China KA, group I; ITU group II).
    Category(u8),
    /// The group II signal after the change to group B (China KD).
    GroupII(u8),
    /// A group A request.
    A(GroupA),
    /// A group B state.
    B(GroupB),
    /// A signal that means nothing in this state.
    Unexpected,
}

impl fmt::Display for Meaning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Meaning::Digit(d) => write!(f, "DNIS digit {d}"),
            Meaning::AniDigit(d) => write!(f, "ANI digit {d}"),
            Meaning::EndOfDnis => f.write_str("end of DNIS"),
            Meaning::EndOfAni => f.write_str("end of ANI"),
            Meaning::AniRestricted => f.write_str("ANI restricted"),
            Meaning::Category(c) => write!(f, "category KA{c}"),
            Meaning::GroupII(c) => write!(f, "group II KD{c}"),
            Meaning::A(a) => write!(f, "A: {a:?}"),
            Meaning::B(b) => write!(f, "B: {b:?}"),
            Meaning::Unexpected => f.write_str("unexpected"),
        }
    }
}

/// The signal number of an address digit: 1 ..= 9 for themselves, 10 for 0 (Q.441).
pub const fn digit_code(digit: u8) -> u8 {
    if digit == 0 { 10 } else { digit }
}

/// The digit a signal number carries, for 1 ..= 10.
pub const fn code_digit(code: u8) -> Option<u8> {
    match code {
        1..=9 => Some(code),
        10 => Some(0),
        _ => None,
    }
}

/// The meanings of the register signals in one R2 variant. Every field holds a signal number
/// 1 ..= 15; `None` where the variant has no such signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MfcTable {
    /// Variant name for logs and the CLI.
    pub name: &'static str,
    /// Group I: end of the called number (`None`: the called end detects it by silence).
    pub end_of_dnis: Option<u8>,
    /// Group I: end of the calling number.
    pub end_of_ani: Option<u8>,
    /// Group I: the calling number is restricted (sent instead of ANI).
    pub ani_restricted: Option<u8>,
    /// Group A: send the next digit.
    pub a_next_digit: u8,
    /// Group A: send the next calling-number digit (after the category was sent).
    pub a_next_ani_digit: u8,
    /// Group A: send digit n-1 again.
    pub a_resend_last_but_one: Option<u8>,
    /// Group A: send digit n-2 again.
    pub a_resend_last_but_two: Option<u8>,
    /// Group A: send digit n-3 again.
    pub a_resend_last_but_three: Option<u8>,
    /// Group A: send the address again from its first digit.
    pub a_resend_all: Option<u8>,
    /// Group A: send the calling party's category (China A6: KA and then the calling number).
    pub a_send_category: u8,
    /// Group A: address complete, change to group B.
    pub a_change_to_b: u8,
    /// Group A: congestion.
    pub a_congestion: Option<u8>,
    /// Group A: address complete, charge, set up speech (no group B).
    pub a_complete_charge: Option<u8>,
    /// Group A: unallocated number.
    pub a_unallocated: Option<u8>,
    /// Group B: free, charge.
    pub b_free_charge: u8,
    /// Group B: free, no charge.
    pub b_free_no_charge: Option<u8>,
    /// Group B: busy.
    pub b_busy: u8,
    /// Group B: busy on a toll connection.
    pub b_busy_toll: Option<u8>,
    /// Group B: congestion.
    pub b_congestion: Option<u8>,
    /// Group B: unallocated number.
    pub b_unallocated: Option<u8>,
    /// Group B: line out of order.
    pub b_out_of_order: Option<u8>,
    /// Group B: number changed.
    pub b_number_changed: Option<u8>,
    /// Group B: send the special information tone.
    pub b_special_info: Option<u8>,
    /// The category a call sends when it names none (China KA; ITU group II category).
    pub default_category: u8,
    /// The group II signal a call sends after the change to group B when it names none
    /// (China KD; in ITU the category again).
    pub default_group_ii: u8,
}

/// Why a table was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MfcTableError {
    /// A signal number outside 1 ..= 15.
    NotASignal(&'static str, u8),
    /// Two meanings of one group share a signal number where the machines could not tell
    /// them apart.
    Clash(&'static str, &'static str),
    /// A group I end or restriction signal is an address digit (1 ..= 10).
    DigitCode(&'static str),
    /// No field of that name.
    UnknownField,
    /// The value is neither a signal number nor `none`.
    BadValue,
}

impl fmt::Display for MfcTableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MfcTableError::NotASignal(name, code) => write!(f, "{name} = {code} is not a signal 1..=15"),
            MfcTableError::Clash(a, b) => write!(f, "{a} and {b} use the same signal"),
            MfcTableError::DigitCode(name) => write!(f, "{name} uses a digit signal (1..=10)"),
            MfcTableError::UnknownField => f.write_str("no such MFC signal name"),
            MfcTableError::BadValue => f.write_str("expected a signal number 1..=15 or \"none\""),
        }
    }
}

impl std::error::Error for MfcTableError {}

/// Lists every signal field with its name once, for validation and overrides by name.
macro_rules! fields {
    ($self:ident, $required:ident, $optional:ident) => {{
        $required!($self, a_next_digit);
        $required!($self, a_next_ani_digit);
        $required!($self, a_send_category);
        $required!($self, a_change_to_b);
        $required!($self, b_free_charge);
        $required!($self, b_busy);
        $required!($self, default_category);
        $required!($self, default_group_ii);
        $optional!($self, end_of_dnis);
        $optional!($self, end_of_ani);
        $optional!($self, ani_restricted);
        $optional!($self, a_resend_last_but_one);
        $optional!($self, a_resend_last_but_two);
        $optional!($self, a_resend_last_but_three);
        $optional!($self, a_resend_all);
        $optional!($self, a_congestion);
        $optional!($self, a_complete_charge);
        $optional!($self, a_unallocated);
        $optional!($self, b_free_no_charge);
        $optional!($self, b_busy_toll);
        $optional!($self, b_congestion);
        $optional!($self, b_unallocated);
        $optional!($self, b_out_of_order);
        $optional!($self, b_number_changed);
        $optional!($self, b_special_info);
    }};
}

impl MfcTable {
    /// China No.1 (GF 002-9002 as OpenR2's CN variant and the published call flows use it).
    pub const CHINA: MfcTable = MfcTable {
        name: "china",
        end_of_dnis: None,
        end_of_ani: Some(15),
        ani_restricted: None,
        a_next_digit: 1,
        a_next_ani_digit: 1,
        a_resend_last_but_one: Some(2),
        a_resend_last_but_two: None,
        a_resend_last_but_three: None,
        a_resend_all: None,
        a_send_category: 6,
        a_change_to_b: 3,
        a_congestion: Some(4),
        a_complete_charge: None,
        a_unallocated: Some(5),
        b_free_charge: 1,
        b_free_no_charge: Some(6),
        b_busy: 2,
        b_busy_toll: Some(3),
        b_congestion: Some(4),
        b_unallocated: Some(5),
        b_out_of_order: None,
        b_number_changed: None,
        b_special_info: None,
        default_category: 1,
        default_group_ii: 3,
    };

    /// ITU-T Q.441 (with OpenR2's I-12 for a restricted calling number).
    pub const ITU: MfcTable = MfcTable {
        name: "itu",
        end_of_dnis: Some(15),
        end_of_ani: Some(15),
        ani_restricted: Some(12),
        a_next_digit: 1,
        a_next_ani_digit: 5,
        a_resend_last_but_one: Some(2),
        a_resend_last_but_two: Some(7),
        a_resend_last_but_three: Some(8),
        a_resend_all: None,
        a_send_category: 5,
        a_change_to_b: 3,
        a_congestion: Some(4),
        a_complete_charge: Some(6),
        a_unallocated: None,
        b_free_charge: 6,
        b_free_no_charge: Some(7),
        b_busy: 3,
        b_busy_toll: None,
        b_congestion: Some(4),
        b_unallocated: Some(5),
        b_out_of_order: Some(8),
        b_number_changed: None,
        b_special_info: Some(2),
        default_category: 1,
        default_group_ii: 1,
    };

    /// Brazil, as OpenR2 configures it.
    pub const BRAZIL: MfcTable = MfcTable {
        name: "brazil",
        end_of_dnis: None,
        end_of_ani: Some(15),
        ani_restricted: Some(12),
        a_next_digit: 1,
        a_next_ani_digit: 5,
        a_resend_last_but_one: Some(9),
        a_resend_last_but_two: Some(7),
        a_resend_last_but_three: Some(8),
        a_resend_all: Some(2),
        a_send_category: 5,
        a_change_to_b: 3,
        a_congestion: Some(4),
        a_complete_charge: None,
        a_unallocated: None,
        b_free_charge: 1,
        b_free_no_charge: Some(5),
        b_busy: 2,
        b_busy_toll: None,
        b_congestion: Some(4),
        b_unallocated: Some(7),
        b_out_of_order: Some(8),
        b_number_changed: Some(3),
        b_special_info: Some(6),
        default_category: 1,
        default_group_ii: 1,
    };

    /// The built-in table named `name` (`china`, `itu`, `brazil`).
    pub fn by_name(name: &str) -> Option<MfcTable> {
        [MfcTable::CHINA, MfcTable::ITU, MfcTable::BRAZIL]
            .into_iter()
            .find(|table| table.name.eq_ignore_ascii_case(name))
    }

    /// What backward signal `code` requests in group A. `ani_phase`: the category has been
    /// sent, so a signal that is both "next digit" and "next ANI digit" (China A1) or both
    /// "send category" and "next ANI digit" (ITU A5) asks for the calling number.
    pub fn group_a(&self, code: u8, ani_phase: bool) -> Option<GroupA> {
        if ani_phase && code == self.a_next_ani_digit {
            return Some(GroupA::NextAniDigit);
        }
        if code == self.a_next_digit {
            return Some(GroupA::NextDigit);
        }
        if code == self.a_send_category {
            return Some(GroupA::SendCategory);
        }
        let optional = [
            (self.a_change_to_b.into(), GroupA::ChangeToGroupB),
            (self.a_resend_last_but_one, GroupA::ResendLastButOne),
            (self.a_resend_last_but_two, GroupA::ResendLastButTwo),
            (self.a_resend_last_but_three, GroupA::ResendLastButThree),
            (self.a_resend_all, GroupA::ResendAll),
            (self.a_congestion, GroupA::Congestion),
            (self.a_complete_charge, GroupA::AddressCompleteCharge),
            (self.a_unallocated, GroupA::Unallocated),
        ];
        optional.into_iter().find(|(c, _)| *c == Some(code)).map(|(_, meaning)| meaning)
    }

    /// The signal that carries the group A `meaning`, if the variant has it.
    pub fn group_a_code(&self, meaning: GroupA) -> Option<u8> {
        match meaning {
            GroupA::NextDigit => Some(self.a_next_digit),
            GroupA::NextAniDigit => Some(self.a_next_ani_digit),
            GroupA::ResendLastButOne => self.a_resend_last_but_one,
            GroupA::ResendLastButTwo => self.a_resend_last_but_two,
            GroupA::ResendLastButThree => self.a_resend_last_but_three,
            GroupA::ResendAll => self.a_resend_all,
            GroupA::SendCategory => Some(self.a_send_category),
            GroupA::ChangeToGroupB => Some(self.a_change_to_b),
            GroupA::Congestion => self.a_congestion,
            GroupA::AddressCompleteCharge => self.a_complete_charge,
            GroupA::Unallocated => self.a_unallocated,
        }
    }

    /// What backward signal `code` reports in group B.
    pub fn group_b(&self, code: u8) -> Option<GroupB> {
        let all = [
            (Some(self.b_free_charge), GroupB::FreeCharge),
            (self.b_free_no_charge, GroupB::FreeNoCharge),
            (Some(self.b_busy), GroupB::Busy),
            (self.b_busy_toll, GroupB::BusyToll),
            (self.b_congestion, GroupB::Congestion),
            (self.b_unallocated, GroupB::Unallocated),
            (self.b_out_of_order, GroupB::OutOfOrder),
            (self.b_number_changed, GroupB::NumberChanged),
            (self.b_special_info, GroupB::SpecialInfo),
        ];
        all.into_iter().find(|(c, _)| *c == Some(code)).map(|(_, meaning)| meaning)
    }

    /// The signal that carries the group B `meaning`; a meaning the variant lacks falls back
    /// to congestion, and without that to busy, so a refusal always reaches the caller.
    pub fn group_b_code(&self, meaning: GroupB) -> u8 {
        let exact = match meaning {
            GroupB::FreeCharge => Some(self.b_free_charge),
            GroupB::FreeNoCharge => self.b_free_no_charge,
            GroupB::Busy => Some(self.b_busy),
            GroupB::BusyToll => self.b_busy_toll,
            GroupB::Congestion => self.b_congestion,
            GroupB::Unallocated => self.b_unallocated,
            GroupB::OutOfOrder => self.b_out_of_order,
            GroupB::NumberChanged => self.b_number_changed,
            GroupB::SpecialInfo => self.b_special_info,
        };
        match (exact, meaning) {
            (Some(code), _) => code,
            (None, GroupB::FreeNoCharge) => self.b_free_charge,
            (None, GroupB::BusyToll) => self.b_busy,
            (None, _) => self.b_congestion.unwrap_or(self.b_busy),
        }
    }

    /// Checks every number is a signal, the group I end signals are not digits, and no two
    /// meanings of a group share a number except where the state tells them apart (next
    /// digit / next ANI digit, send category / next ANI digit).
    pub fn validate(&self) -> Result<(), MfcTableError> {
        macro_rules! check_required {
            ($t:ident, $field:ident) => {
                if !(1..=15).contains(&$t.$field) {
                    return Err(MfcTableError::NotASignal(stringify!($field), $t.$field));
                }
            };
        }
        macro_rules! check_optional {
            ($t:ident, $field:ident) => {
                if let Some(code) = $t.$field
                    && !(1..=15).contains(&code)
                {
                    return Err(MfcTableError::NotASignal(stringify!($field), code));
                }
            };
        }
        fields!(self, check_required, check_optional);
        for (name, code) in [
            ("end_of_dnis", self.end_of_dnis),
            ("end_of_ani", self.end_of_ani),
            ("ani_restricted", self.ani_restricted),
        ] {
            if code.is_some_and(|c| code_digit(c).is_some()) {
                return Err(MfcTableError::DigitCode(name));
            }
        }
        if self.ani_restricted.is_some() && self.ani_restricted == self.end_of_ani {
            return Err(MfcTableError::Clash("ani_restricted", "end_of_ani"));
        }
        let group_a = [
            ("a_next_digit", Some(self.a_next_digit)),
            ("a_next_ani_digit", Some(self.a_next_ani_digit)),
            ("a_send_category", Some(self.a_send_category)),
            ("a_change_to_b", Some(self.a_change_to_b)),
            ("a_resend_last_but_one", self.a_resend_last_but_one),
            ("a_resend_last_but_two", self.a_resend_last_but_two),
            ("a_resend_last_but_three", self.a_resend_last_but_three),
            ("a_resend_all", self.a_resend_all),
            ("a_congestion", self.a_congestion),
            ("a_complete_charge", self.a_complete_charge),
            ("a_unallocated", self.a_unallocated),
        ];
        let shareable = |a: &str, b: &str| {
            let pair = |x: &str, y: &str| (a == x && b == y) || (a == y && b == x);
            pair("a_next_digit", "a_next_ani_digit") || pair("a_send_category", "a_next_ani_digit")
        };
        for (i, (name_a, code_a)) in group_a.iter().enumerate() {
            for (name_b, code_b) in &group_a[i + 1..] {
                if code_a.is_some() && code_a == code_b && !shareable(name_a, name_b) {
                    return Err(MfcTableError::Clash(name_a, name_b));
                }
            }
        }
        if self.a_next_digit == self.a_send_category {
            return Err(MfcTableError::Clash("a_next_digit", "a_send_category"));
        }
        let group_b = [
            ("b_free_charge", Some(self.b_free_charge)),
            ("b_free_no_charge", self.b_free_no_charge),
            ("b_busy", Some(self.b_busy)),
            ("b_busy_toll", self.b_busy_toll),
            ("b_congestion", self.b_congestion),
            ("b_unallocated", self.b_unallocated),
            ("b_out_of_order", self.b_out_of_order),
            ("b_number_changed", self.b_number_changed),
            ("b_special_info", self.b_special_info),
        ];
        for (i, (name_a, code_a)) in group_b.iter().enumerate() {
            for (name_b, code_b) in &group_b[i + 1..] {
                if code_a.is_some() && code_a == code_b {
                    return Err(MfcTableError::Clash(name_a, name_b));
                }
            }
        }
        Ok(())
    }

    /// Overrides the signal `field` (a field name of this struct) with `value`: a number
    /// 1 ..= 15, or `none` for the optional ones. The table is left unchanged on error; call
    /// [`MfcTable::validate`] once all overrides are in.
    pub fn set(&mut self, field: &str, value: &str) -> Result<(), MfcTableError> {
        let value = value.trim();
        let code = if value.eq_ignore_ascii_case("none") {
            None
        } else {
            let code: u8 = value.parse().map_err(|_| MfcTableError::BadValue)?;
            if !(1..=15).contains(&code) {
                return Err(MfcTableError::NotASignal("value", code));
            }
            Some(code)
        };
        macro_rules! set_required {
            ($t:ident, $field:ident) => {
                if field == stringify!($field) {
                    $t.$field = code.ok_or(MfcTableError::BadValue)?;
                    return Ok(());
                }
            };
        }
        macro_rules! set_optional {
            ($t:ident, $field:ident) => {
                if field == stringify!($field) {
                    $t.$field = code;
                    return Ok(());
                }
            };
        }
        fields!(self, set_required, set_optional);
        Err(MfcTableError::UnknownField)
    }
}

impl Default for MfcTable {
    fn default() -> Self {
        MfcTable::CHINA
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_tables_are_valid() {
        for table in [MfcTable::CHINA, MfcTable::ITU, MfcTable::BRAZIL] {
            assert_eq!(table.validate(), Ok(()), "{}", table.name);
            assert_eq!(MfcTable::by_name(table.name), Some(table));
        }
        assert_eq!(MfcTable::by_name("CHINA"), Some(MfcTable::CHINA));
        assert_eq!(MfcTable::by_name("mexico"), None);
    }

    #[test]
    fn digits_map_to_signals_one_to_ten() {
        assert_eq!(digit_code(0), 10);
        assert_eq!(digit_code(7), 7);
        assert_eq!(code_digit(10), Some(0));
        assert_eq!(code_digit(1), Some(1));
        assert_eq!(code_digit(11), None);
        assert_eq!(code_digit(0), None);
    }

    #[test]
    fn china_a1_is_a_dnis_request_until_the_category_is_sent() {
        let china = MfcTable::CHINA;
        assert_eq!(china.group_a(1, false), Some(GroupA::NextDigit));
        assert_eq!(china.group_a(1, true), Some(GroupA::NextAniDigit));
        assert_eq!(china.group_a(6, false), Some(GroupA::SendCategory));
        assert_eq!(china.group_a(3, true), Some(GroupA::ChangeToGroupB));
        assert_eq!(china.group_a(4, false), Some(GroupA::Congestion));
        assert_eq!(china.group_a(5, false), Some(GroupA::Unallocated));
        assert_eq!(china.group_a(2, false), Some(GroupA::ResendLastButOne));
        assert_eq!(china.group_a(7, false), None);
        assert_eq!(china.group_a(15, true), None);
    }

    #[test]
    fn itu_a5_is_the_category_then_the_calling_number() {
        let itu = MfcTable::ITU;
        assert_eq!(itu.group_a(5, false), Some(GroupA::SendCategory));
        assert_eq!(itu.group_a(5, true), Some(GroupA::NextAniDigit));
        assert_eq!(itu.group_a(1, true), Some(GroupA::NextDigit));
        assert_eq!(itu.group_a(6, false), Some(GroupA::AddressCompleteCharge));
        assert_eq!(itu.group_a(7, false), Some(GroupA::ResendLastButTwo));
        assert_eq!(itu.group_a(8, false), Some(GroupA::ResendLastButThree));
    }

    #[test]
    fn group_b_meanings_and_their_causes() {
        let china = MfcTable::CHINA;
        let expected = [
            (1, GroupB::FreeCharge, None),
            (2, GroupB::Busy, Some(Cause::UserBusy)),
            (3, GroupB::BusyToll, Some(Cause::UserBusy)),
            (4, GroupB::Congestion, Some(Cause::SwitchingEquipmentCongestion)),
            (5, GroupB::Unallocated, Some(Cause::UnallocatedNumber)),
            (6, GroupB::FreeNoCharge, None),
        ];
        for (code, meaning, cause) in expected {
            assert_eq!(china.group_b(code), Some(meaning), "B{code}");
            assert_eq!(meaning.cause(), cause, "B{code}");
            assert_eq!(china.group_b_code(meaning), code);
        }
        assert_eq!(china.group_b(7), None);
        assert_eq!(MfcTable::ITU.group_b(6), Some(GroupB::FreeCharge));
        assert_eq!(MfcTable::ITU.group_b(3), Some(GroupB::Busy));
        assert_eq!(MfcTable::ITU.group_b(8), Some(GroupB::OutOfOrder));
    }

    #[test]
    fn refusals_missing_from_a_variant_fall_back_to_congestion_then_busy() {
        let mut china = MfcTable::CHINA;
        assert_eq!(china.group_b_code(GroupB::OutOfOrder), 4);
        assert_eq!(china.group_b_code(GroupB::NumberChanged), 4);
        china.b_congestion = None;
        assert_eq!(china.group_b_code(GroupB::OutOfOrder), 2);
        china.b_free_no_charge = None;
        assert_eq!(china.group_b_code(GroupB::FreeNoCharge), 1);
        assert_eq!(GroupB::for_cause(Cause::UserBusy), GroupB::Busy);
        assert_eq!(GroupB::for_cause(Cause::UnallocatedNumber), GroupB::Unallocated);
        assert_eq!(GroupB::for_cause(Cause::NormalClearing), GroupB::Congestion);
    }

    #[test]
    fn validation_catches_clashes_digits_and_bad_numbers() {
        let mut t = MfcTable::CHINA;
        t.a_congestion = Some(3);
        assert_eq!(t.validate(), Err(MfcTableError::Clash("a_change_to_b", "a_congestion")));
        t = MfcTable::CHINA;
        t.end_of_ani = Some(10);
        assert_eq!(t.validate(), Err(MfcTableError::DigitCode("end_of_ani")));
        t = MfcTable::CHINA;
        t.b_busy = 16;
        assert_eq!(t.validate(), Err(MfcTableError::NotASignal("b_busy", 16)));
        t = MfcTable::CHINA;
        t.b_unallocated = Some(1);
        assert_eq!(t.validate(), Err(MfcTableError::Clash("b_free_charge", "b_unallocated")));
        t = MfcTable::CHINA;
        t.a_send_category = 1;
        assert!(t.validate().is_err());
    }

    #[test]
    fn overrides_by_name() {
        let mut t = MfcTable::CHINA;
        assert_eq!(t.set("b_busy", "3"), Ok(()));
        assert_eq!(t.b_busy, 3);
        assert_eq!(t.set("b_busy_toll", "none"), Ok(()));
        assert_eq!(t.b_busy_toll, None);
        assert_eq!(t.validate(), Ok(()));
        assert_eq!(t.set("end_of_dnis", " 15 "), Ok(()));
        assert_eq!(t.end_of_dnis, Some(15));
        assert_eq!(t.set("b_busy", "none"), Err(MfcTableError::BadValue));
        assert_eq!(t.set("b_busy", "16"), Err(MfcTableError::NotASignal("value", 16)));
        assert_eq!(t.set("b_busy", "x"), Err(MfcTableError::BadValue));
        assert_eq!(t.set("b_nothing", "1"), Err(MfcTableError::UnknownField));
        assert_eq!(t.b_busy, 3);
    }

    #[test]
    fn meanings_print_for_traces() {
        assert_eq!(format!("{}", Meaning::Digit(0)), "DNIS digit 0");
        assert_eq!(format!("{}", Meaning::Category(1)), "category KA1");
        assert_eq!(format!("{}", Meaning::A(GroupA::NextDigit)), "A: NextDigit");
        assert_eq!(format!("{}", Meaning::B(GroupB::Busy)), "B: Busy");
    }
}
