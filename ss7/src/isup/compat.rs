//! The compatibility procedure of Q.764 §2.9.5 at an end exchange: what to do with a message
//! of a type this exchange does not implement, and with a message carrying parameters it
//! does not recognize, guided by the sender's instruction indicators (message and parameter
//! compatibility information).
//!
//! At an end exchange nothing can be passed on, so "pass on" instructions fall back to the
//! "pass on not possible" indicator. Without instructions, an unrecognized message is
//! discarded with a confusion message (cause 97), and an unrecognized parameter is discarded
//! and the message processed, with a confusion message (cause 99).

use super::wire::{MessageInstructions, ParameterCompatibility, PassOnNotPossible, RawParameter};
use tdm_base::Cause;

/// What to do with a message that carries something unrecognized.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Treatment {
    /// Process the message without the unrecognized parameters; report them with `cause`
    /// (CFN, or RLC when the message was REL) when `notify`.
    Process {
        /// Send a notification.
        notify: bool,
    },
    /// Discard the message; report it with `cause` when `notify`.
    Discard {
        /// Send a notification.
        notify: bool,
        /// The cause of the notification.
        cause: Cause,
    },
    /// Release the call on the circuit with `cause`.
    Release {
        /// The cause of the release.
        cause: Cause,
    },
}

impl Treatment {
    fn severity(&self) -> u8 {
        match self {
            Treatment::Process { .. } => 0,
            Treatment::Discard { .. } => 1,
            Treatment::Release { .. } => 2,
        }
    }
}

/// The treatment of a message type this exchange does not implement, given its message
/// compatibility information.
pub fn unrecognized_message(instructions: Option<&MessageInstructions>) -> Treatment {
    let cause = Cause::MessageTypeNonExistent;
    let Some(i) = instructions else { return Treatment::Discard { notify: true, cause } };
    if i.release_call {
        return Treatment::Release { cause };
    }
    if i.discard_message || i.pass_on_not_possible_discard {
        return Treatment::Discard { notify: i.send_notification, cause };
    }
    Treatment::Release { cause }
}

/// The treatment of a message carrying `unrecognized` parameters, given its parameter
/// compatibility information. The most severe treatment any parameter asks for wins; a
/// notification is sent when any parameter that decides asks for one.
pub fn unrecognized_parameters(
    unrecognized: &[RawParameter],
    instructions: Option<&ParameterCompatibility>,
) -> Treatment {
    let mut result = Treatment::Process { notify: false };
    for parameter in unrecognized {
        let treatment = match instructions.and_then(|p| p.find(parameter.name)) {
            None => Treatment::Process { notify: true },
            Some(i) if i.release_call => Treatment::Release { cause: Cause::IeNonExistent },
            Some(i) if i.discard_message => Treatment::Discard {
                notify: i.send_notification,
                cause: Cause::UnrecognizedParameterDiscarded,
            },
            Some(i) if i.discard_parameter => Treatment::Process { notify: i.send_notification },
            Some(i) => match i.pass_on_not_possible {
                PassOnNotPossible::DiscardMessage => Treatment::Discard {
                    notify: i.send_notification,
                    cause: Cause::UnrecognizedParameterDiscarded,
                },
                PassOnNotPossible::DiscardParameter => Treatment::Process { notify: i.send_notification },
                _ => Treatment::Release { cause: Cause::IeNonExistent },
            },
        };
        result = match (result, treatment) {
            (Treatment::Process { notify: a }, Treatment::Process { notify: b }) => {
                Treatment::Process { notify: a || b }
            }
            (Treatment::Discard { notify: a, cause }, Treatment::Discard { notify: b, .. }) => {
                Treatment::Discard { notify: a || b, cause }
            }
            (current, new) if new.severity() > current.severity() => new,
            (current, _) => current,
        };
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::isup::wire::ParameterInstructions;

    fn pci(entries: &[(u8, u8)]) -> ParameterCompatibility {
        let mut p = ParameterCompatibility::new();
        for &(name, octet) in entries {
            let pass_on = octet >> 5 & 3;
            p.push(ParameterInstructions {
                parameter: name,
                end_node_interpretation: octet & 1 != 0,
                release_call: octet & 2 != 0,
                send_notification: octet & 4 != 0,
                discard_message: octet & 8 != 0,
                discard_parameter: octet & 16 != 0,
                pass_on_not_possible: PassOnNotPossible::from_code(if pass_on == 3 { 0 } else { pass_on }),
            });
        }
        p
    }

    fn raw(name: u8) -> RawParameter {
        RawParameter::new(name, &[0])
    }

    #[test]
    fn unrecognized_messages_follow_their_instructions() {
        assert_eq!(
            unrecognized_message(None),
            Treatment::Discard { notify: true, cause: Cause::MessageTypeNonExistent }
        );
        let release = MessageInstructions { release_call: true, ..Default::default() };
        assert_eq!(
            unrecognized_message(Some(&release)),
            Treatment::Release { cause: Cause::MessageTypeNonExistent }
        );
        let discard =
            MessageInstructions { discard_message: true, send_notification: true, ..Default::default() };
        assert_eq!(
            unrecognized_message(Some(&discard)),
            Treatment::Discard { notify: true, cause: Cause::MessageTypeNonExistent }
        );
        let silent = MessageInstructions { discard_message: true, ..Default::default() };
        assert_eq!(
            unrecognized_message(Some(&silent)),
            Treatment::Discard { notify: false, cause: Cause::MessageTypeNonExistent }
        );
        // "Pass on" at an end node: pass-on-not-possible decides.
        let pass_release = MessageInstructions::default();
        assert_eq!(
            unrecognized_message(Some(&pass_release)),
            Treatment::Release { cause: Cause::MessageTypeNonExistent }
        );
        let pass_discard = MessageInstructions { pass_on_not_possible_discard: true, ..Default::default() };
        assert_eq!(
            unrecognized_message(Some(&pass_discard)),
            Treatment::Discard { notify: false, cause: Cause::MessageTypeNonExistent }
        );
    }

    #[test]
    fn unrecognized_parameters_follow_their_instructions() {
        assert_eq!(unrecognized_parameters(&[], None), Treatment::Process { notify: false });
        assert_eq!(unrecognized_parameters(&[raw(0xFD)], None), Treatment::Process { notify: true });
        // Discard parameter without notification.
        assert_eq!(
            unrecognized_parameters(&[raw(0xFD)], Some(&pci(&[(0xFD, 0x10)]))),
            Treatment::Process { notify: false }
        );
        // Discard message with notification: cause 110.
        assert_eq!(
            unrecognized_parameters(&[raw(0xFD)], Some(&pci(&[(0xFD, 0x0C)]))),
            Treatment::Discard { notify: true, cause: Cause::UnrecognizedParameterDiscarded }
        );
        // Release call: cause 99.
        assert_eq!(
            unrecognized_parameters(&[raw(0xFD)], Some(&pci(&[(0xFD, 0x02)]))),
            Treatment::Release { cause: Cause::IeNonExistent }
        );
        // Pass on at an end node, pass-on-not-possible = discard parameter / message / release.
        assert_eq!(
            unrecognized_parameters(&[raw(0xFD)], Some(&pci(&[(0xFD, 0x44)]))),
            Treatment::Process { notify: true }
        );
        assert_eq!(
            unrecognized_parameters(&[raw(0xFD)], Some(&pci(&[(0xFD, 0x20)]))),
            Treatment::Discard { notify: false, cause: Cause::UnrecognizedParameterDiscarded }
        );
        assert_eq!(
            unrecognized_parameters(&[raw(0xFD)], Some(&pci(&[(0xFD, 0x00)]))),
            Treatment::Release { cause: Cause::IeNonExistent }
        );
        // Instructions for another parameter do not apply.
        assert_eq!(
            unrecognized_parameters(&[raw(0xFD)], Some(&pci(&[(0xFE, 0x02)]))),
            Treatment::Process { notify: true }
        );
    }

    #[test]
    fn the_most_severe_parameter_decides() {
        let instructions = pci(&[(0xF1, 0x10), (0xF2, 0x08), (0xF3, 0x02)]);
        assert_eq!(
            unrecognized_parameters(&[raw(0xF1), raw(0xF2)], Some(&instructions)),
            Treatment::Discard { notify: false, cause: Cause::UnrecognizedParameterDiscarded }
        );
        assert_eq!(
            unrecognized_parameters(&[raw(0xF1), raw(0xF3), raw(0xF2)], Some(&instructions)),
            Treatment::Release { cause: Cause::IeNonExistent }
        );
        // One silent discard-parameter and one without instructions: notify.
        assert_eq!(
            unrecognized_parameters(&[raw(0xF1), raw(0xF9)], Some(&instructions)),
            Treatment::Process { notify: true }
        );
    }
}
