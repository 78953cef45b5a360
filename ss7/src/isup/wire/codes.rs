//! ISUP message type codes (Q.763 Table 4) and parameter names (Q.763 Table 5).
//!
//! The China national ISUP (YDN 038-1997) keeps these codes. Its national messages CCL, MPM
//! and OPR exist but their wire codes are unconfirmed (reference §3.5, status U), so they are
//! not named here: a peer that sends them gets the Q.764 §2.9.5 treatment for unrecognized
//! messages, which is what an exchange without that national option does.

use crate::circuit::codes::code_enum;
use core::fmt;

code_enum! {
    /// ISUP message type.
    pub enum MessageType: u8 {
        /// Initial address.
        Iam = 0x01, "IAM";
        /// Subsequent address.
        Sam = 0x02, "SAM";
        /// Information request (national use).
        Inr = 0x03, "INR";
        /// Information (national use).
        Inf = 0x04, "INF";
        /// Continuity.
        Cot = 0x05, "COT";
        /// Address complete.
        Acm = 0x06, "ACM";
        /// Connect.
        Con = 0x07, "CON";
        /// Forward transfer.
        Fot = 0x08, "FOT";
        /// Answer.
        Anm = 0x09, "ANM";
        /// Release.
        Rel = 0x0C, "REL";
        /// Suspend.
        Sus = 0x0D, "SUS";
        /// Resume.
        Res = 0x0E, "RES";
        /// Release complete.
        Rlc = 0x10, "RLC";
        /// Continuity check request.
        Ccr = 0x11, "CCR";
        /// Reset circuit.
        Rsc = 0x12, "RSC";
        /// Blocking.
        Blo = 0x13, "BLO";
        /// Unblocking.
        Ubl = 0x14, "UBL";
        /// Blocking acknowledgement.
        Bla = 0x15, "BLA";
        /// Unblocking acknowledgement.
        Uba = 0x16, "UBA";
        /// Circuit group reset.
        Grs = 0x17, "GRS";
        /// Circuit group blocking.
        Cgb = 0x18, "CGB";
        /// Circuit group unblocking.
        Cgu = 0x19, "CGU";
        /// Circuit group blocking acknowledgement.
        Cgba = 0x1A, "CGBA";
        /// Circuit group unblocking acknowledgement.
        Cgua = 0x1B, "CGUA";
        /// Loop back acknowledgement (national use).
        Lpa = 0x24, "LPA";
        /// Circuit group reset acknowledgement.
        Gra = 0x29, "GRA";
        /// Circuit group query (national use).
        Cqm = 0x2A, "CQM";
        /// Circuit group query response (national use).
        Cqr = 0x2B, "CQR";
        /// Call progress.
        Cpg = 0x2C, "CPG";
        /// Unequipped circuit identification code (national use).
        Ucic = 0x2E, "UCIC";
        /// Confusion.
        Cfn = 0x2F, "CFN";
    }
}

impl fmt::Display for MessageType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MessageType::Unknown(code) => write!(f, "message type {code:#04x}"),
            known => f.write_str(known.name()),
        }
    }
}

code_enum! {
    /// Parameter name. Only the parameters this stack decodes are named; [`is_recognized`]
    /// tells the others Q.763 defines from the ones it does not.
    pub enum ParameterName: u8 {
        /// Marks the end of the optional part.
        EndOfOptionalParameters = 0x00, "end of optional parameters";
        /// Transmission medium requirement.
        TransmissionMediumRequirement = 0x02, "transmission medium requirement";
        /// Access transport.
        AccessTransport = 0x03, "access transport";
        /// Called party number.
        CalledPartyNumber = 0x04, "called party number";
        /// Subsequent number.
        SubsequentNumber = 0x05, "subsequent number";
        /// Nature of connection indicators.
        NatureOfConnectionIndicators = 0x06, "nature of connection indicators";
        /// Forward call indicators.
        ForwardCallIndicators = 0x07, "forward call indicators";
        /// Optional forward call indicators.
        OptionalForwardCallIndicators = 0x08, "optional forward call indicators";
        /// Calling party's category.
        CallingPartysCategory = 0x09, "calling party's category";
        /// Calling party number.
        CallingPartyNumber = 0x0A, "calling party number";
        /// Redirecting number.
        RedirectingNumber = 0x0B, "redirecting number";
        /// Redirection number.
        RedirectionNumber = 0x0C, "redirection number";
        /// Information request indicators.
        InformationRequestIndicators = 0x0E, "information request indicators";
        /// Information indicators.
        InformationIndicators = 0x0F, "information indicators";
        /// Continuity indicators.
        ContinuityIndicators = 0x10, "continuity indicators";
        /// Backward call indicators.
        BackwardCallIndicators = 0x11, "backward call indicators";
        /// Cause indicators.
        CauseIndicators = 0x12, "cause indicators";
        /// Redirection information.
        RedirectionInformation = 0x13, "redirection information";
        /// Circuit group supervision message type.
        CircuitGroupSupervisionMessageType = 0x15, "circuit group supervision message type";
        /// Range and status.
        RangeAndStatus = 0x16, "range and status";
        /// User service information.
        UserServiceInformation = 0x1D, "user service information";
        /// User-to-user information.
        UserToUserInformation = 0x20, "user-to-user information";
        /// Connected number.
        ConnectedNumber = 0x21, "connected number";
        /// Suspend/resume indicators.
        SuspendResumeIndicators = 0x22, "suspend/resume indicators";
        /// Event information.
        EventInformation = 0x24, "event information";
        /// Circuit state indicator.
        CircuitStateIndicator = 0x26, "circuit state indicator";
        /// Original called number.
        OriginalCalledNumber = 0x28, "original called number";
        /// Optional backward call indicators.
        OptionalBackwardCallIndicators = 0x29, "optional backward call indicators";
        /// Propagation delay counter.
        PropagationDelayCounter = 0x31, "propagation delay counter";
        /// Message compatibility information.
        MessageCompatibilityInformation = 0x38, "message compatibility information";
        /// Parameter compatibility information.
        ParameterCompatibilityInformation = 0x39, "parameter compatibility information";
        /// Hop counter.
        HopCounter = 0x3D, "hop counter";
        /// Location number.
        LocationNumber = 0x3F, "location number";
        /// Generic number.
        GenericNumber = 0xC0, "generic number";
    }
}

/// Whether Q.763 defines parameter `code`, so that an exchange carries it (possibly without
/// acting on it) instead of applying the unrecognized-parameter procedure of Q.764 §2.9.5.2.
pub const fn is_recognized(code: u8) -> bool {
    matches!(
        code,
        0x01..=0x13 | 0x15 | 0x16 | 0x18 | 0x1A | 0x1D | 0x1E | 0x20..=0x24 | 0x26..=0x45 | 0x4B..=0x4E | 0x5B
            | 0x65 | 0x66 | 0x6E..=0x75 | 0x77..=0x7E | 0xC0 | 0xC1
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_codes_match_q763_table_4() {
        let expected = [
            (MessageType::Iam, 0x01),
            (MessageType::Acm, 0x06),
            (MessageType::Anm, 0x09),
            (MessageType::Rel, 0x0C),
            (MessageType::Rlc, 0x10),
            (MessageType::Grs, 0x17),
            (MessageType::Cgba, 0x1A),
            (MessageType::Gra, 0x29),
            (MessageType::Cpg, 0x2C),
            (MessageType::Ucic, 0x2E),
            (MessageType::Cfn, 0x2F),
        ];
        for (message, code) in expected {
            assert_eq!(message.code(), code);
            assert_eq!(MessageType::from_code(code), message);
        }
        assert_eq!(MessageType::from_code(0x41), MessageType::Unknown(0x41));
        assert_eq!(MessageType::Unknown(0x41).to_string(), "message type 0x41");
        assert_eq!(MessageType::Cgua.to_string(), "CGUA");
    }

    #[test]
    fn recognition_follows_the_q763_table_gaps() {
        assert!(is_recognized(0x01));
        assert!(is_recognized(0x13));
        assert!(!is_recognized(0x14));
        assert!(!is_recognized(0x17));
        assert!(is_recognized(0x39));
        assert!(!is_recognized(0x46));
        assert!(is_recognized(0xC0));
        assert!(!is_recognized(0xC2));
        assert!(!is_recognized(0xFE));
        assert_eq!(ParameterName::from_code(0x39), ParameterName::ParameterCompatibilityInformation);
    }
}
