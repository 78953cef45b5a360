//! ITU-T Q.850 cause values and locations, shared by ISDN (the Cause IE of Q.931), ISUP (the
//! Cause indicators parameter of Q.763) and the call model above them.
//!
//! A cause is 7 bits on the wire. Values the standard does not define stay [`Cause::Unknown`]
//! and are sent back out unchanged; their class is still known from the top three bits.

use core::fmt;

macro_rules! causes {
    ($( $(#[$doc:meta])* $variant:ident = $value:literal, $name:literal; )*) => {
        /// A Q.850 cause value.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Cause {
            $( $(#[$doc])* $variant, )*
            /// A value Q.850 does not define (kept as received).
            Unknown(u8),
        }

        impl Cause {
            /// Every cause Q.850 defines, in value order.
            pub const ALL: &'static [Cause] = &[$(Cause::$variant,)*];

            /// The cause with code `value`.
            pub const fn from_u8(value: u8) -> Cause {
                match value {
                    $( $value => Cause::$variant, )*
                    other => Cause::Unknown(other),
                }
            }

            /// The cause's code.
            pub const fn to_u8(self) -> u8 {
                match self {
                    $( Cause::$variant => $value, )*
                    Cause::Unknown(value) => value,
                }
            }

            /// Q.850's name for the cause, or `"unknown cause"`.
            pub const fn name(self) -> &'static str {
                match self {
                    $( Cause::$variant => $name, )*
                    Cause::Unknown(_) => "unknown cause",
                }
            }
        }
    };
}

causes! {
    /// 1
    UnallocatedNumber = 1, "unallocated (unassigned) number";
    /// 2
    NoRouteToTransitNetwork = 2, "no route to specified transit network";
    /// 3
    NoRouteToDestination = 3, "no route to destination";
    /// 4
    SendSpecialInformationTone = 4, "send special information tone";
    /// 5
    MisdialledTrunkPrefix = 5, "misdialled trunk prefix";
    /// 6
    ChannelUnacceptable = 6, "channel unacceptable";
    /// 7
    CallAwardedInEstablishedChannel = 7, "call awarded and being delivered in an established channel";
    /// 8
    Preemption = 8, "preemption";
    /// 9
    PreemptionCircuitReserved = 9, "preemption - circuit reserved for reuse";
    /// 16
    NormalClearing = 16, "normal call clearing";
    /// 17
    UserBusy = 17, "user busy";
    /// 18
    NoUserResponding = 18, "no user responding";
    /// 19
    NoAnswer = 19, "no answer from user (user alerted)";
    /// 20
    SubscriberAbsent = 20, "subscriber absent";
    /// 21
    CallRejected = 21, "call rejected";
    /// 22
    NumberChanged = 22, "number changed";
    /// 23
    RedirectionToNewDestination = 23, "redirection to new destination";
    /// 25
    ExchangeRoutingError = 25, "exchange routing error";
    /// 26
    NonSelectedUserClearing = 26, "non-selected user clearing";
    /// 27
    DestinationOutOfOrder = 27, "destination out of order";
    /// 28
    InvalidNumberFormat = 28, "invalid number format (address incomplete)";
    /// 29
    FacilityRejected = 29, "facility rejected";
    /// 30
    ResponseToStatusEnquiry = 30, "response to STATUS ENQUIRY";
    /// 31
    NormalUnspecified = 31, "normal, unspecified";
    /// 34
    NoCircuitAvailable = 34, "no circuit/channel available";
    /// 38
    NetworkOutOfOrder = 38, "network out of order";
    /// 39
    FrameModeOutOfService = 39, "permanent frame mode connection out of service";
    /// 40
    FrameModeOperational = 40, "permanent frame mode connection operational";
    /// 41
    TemporaryFailure = 41, "temporary failure";
    /// 42
    SwitchingEquipmentCongestion = 42, "switching equipment congestion";
    /// 43
    AccessInformationDiscarded = 43, "access information discarded";
    /// 44
    RequestedChannelNotAvailable = 44, "requested circuit/channel not available";
    /// 46
    PrecedenceCallBlocked = 46, "precedence call blocked";
    /// 47
    ResourceUnavailable = 47, "resource unavailable, unspecified";
    /// 49
    QualityOfServiceNotAvailable = 49, "quality of service not available";
    /// 50
    FacilityNotSubscribed = 50, "requested facility not subscribed";
    /// 53
    OutgoingCallsBarredInCug = 53, "outgoing calls barred within CUG";
    /// 55
    IncomingCallsBarredInCug = 55, "incoming calls barred within CUG";
    /// 57
    BearerCapabilityNotAuthorized = 57, "bearer capability not authorized";
    /// 58
    BearerCapabilityNotAvailable = 58, "bearer capability not presently available";
    /// 62
    InconsistentOutgoingAccess = 62, "inconsistency in designated outgoing access information and subscriber class";
    /// 63
    ServiceNotAvailable = 63, "service or option not available, unspecified";
    /// 65
    BearerCapabilityNotImplemented = 65, "bearer capability not implemented";
    /// 66
    ChannelTypeNotImplemented = 66, "channel type not implemented";
    /// 69
    FacilityNotImplemented = 69, "requested facility not implemented";
    /// 70
    OnlyRestrictedDigitalAvailable = 70, "only restricted digital information bearer capability is available";
    /// 79
    ServiceNotImplemented = 79, "service or option not implemented, unspecified";
    /// 81
    InvalidCallReference = 81, "invalid call reference value";
    /// 82
    ChannelDoesNotExist = 82, "identified channel does not exist";
    /// 83
    SuspendedCallIdentityUnknown = 83, "a suspended call exists, but this call identity does not";
    /// 84
    CallIdentityInUse = 84, "call identity in use";
    /// 85
    NoCallSuspended = 85, "no call suspended";
    /// 86
    CallIdentityCleared = 86, "call having the requested call identity has been cleared";
    /// 87
    NotMemberOfCug = 87, "user not member of CUG";
    /// 88
    IncompatibleDestination = 88, "incompatible destination";
    /// 90
    NonExistentCug = 90, "non-existent CUG";
    /// 91
    InvalidTransitNetwork = 91, "invalid transit network selection";
    /// 95
    InvalidMessage = 95, "invalid message, unspecified";
    /// 96
    MandatoryIeMissing = 96, "mandatory information element is missing";
    /// 97
    MessageTypeNonExistent = 97, "message type non-existent or not implemented";
    /// 98
    MessageNotCompatibleOrNonExistent = 98, "message not compatible with call state or message type non-existent or not implemented";
    /// 99
    IeNonExistent = 99, "information element/parameter non-existent or not implemented";
    /// 100
    InvalidIeContents = 100, "invalid information element contents";
    /// 101
    MessageNotCompatibleWithState = 101, "message not compatible with call state";
    /// 102
    RecoveryOnTimerExpiry = 102, "recovery on timer expiry";
    /// 103
    ParameterNonExistentPassedOn = 103, "parameter non-existent or not implemented, passed on";
    /// 110
    UnrecognizedParameterDiscarded = 110, "message with unrecognized parameter, discarded";
    /// 111
    ProtocolError = 111, "protocol error, unspecified";
    /// 127
    Interworking = 127, "interworking, unspecified";
}

/// The class of a cause: bits 7–5 of its value (Q.850 Table 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CauseClass {
    /// 000 and 001: normal events.
    Normal,
    /// 010.
    ResourceUnavailable,
    /// 011.
    ServiceNotAvailable,
    /// 100.
    ServiceNotImplemented,
    /// 101.
    InvalidMessage,
    /// 110.
    ProtocolError,
    /// 111.
    Interworking,
}

impl Cause {
    /// The class, from the top three of the seven bits (defined for unknown values too).
    pub const fn class(self) -> CauseClass {
        match (self.to_u8() >> 4) & 0x07 {
            0 | 1 => CauseClass::Normal,
            2 => CauseClass::ResourceUnavailable,
            3 => CauseClass::ServiceNotAvailable,
            4 => CauseClass::ServiceNotImplemented,
            5 => CauseClass::InvalidMessage,
            6 => CauseClass::ProtocolError,
            _ => CauseClass::Interworking,
        }
    }

    /// Whether Q.850 defines this value.
    pub const fn is_known(self) -> bool {
        !matches!(self, Cause::Unknown(_))
    }
}

impl From<u8> for Cause {
    fn from(value: u8) -> Cause {
        Cause::from_u8(value)
    }
}

impl From<Cause> for u8 {
    fn from(cause: Cause) -> u8 {
        cause.to_u8()
    }
}

impl fmt::Display for Cause {
    /// `16 (normal call clearing)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.to_u8(), self.name())
    }
}

/// Where a cause was generated (Q.850 §2.2.3, 4 bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Location {
    /// 0000 U.
    User,
    /// 0001 LPN.
    PrivateNetworkLocalUser,
    /// 0010 LN.
    PublicNetworkLocalUser,
    /// 0011 TN.
    TransitNetwork,
    /// 0100 RLN.
    PublicNetworkRemoteUser,
    /// 0101 RPN.
    PrivateNetworkRemoteUser,
    /// 0111 INTL.
    International,
    /// 1010 BI.
    BeyondInterworkingPoint,
    /// Any other 4-bit value.
    Unknown(u8),
}

impl Location {
    /// The location with code `value` (low 4 bits of the octet are the caller's business).
    pub const fn from_u8(value: u8) -> Location {
        match value {
            0 => Location::User,
            1 => Location::PrivateNetworkLocalUser,
            2 => Location::PublicNetworkLocalUser,
            3 => Location::TransitNetwork,
            4 => Location::PublicNetworkRemoteUser,
            5 => Location::PrivateNetworkRemoteUser,
            7 => Location::International,
            10 => Location::BeyondInterworkingPoint,
            other => Location::Unknown(other),
        }
    }

    /// The location's code.
    pub const fn to_u8(self) -> u8 {
        match self {
            Location::User => 0,
            Location::PrivateNetworkLocalUser => 1,
            Location::PublicNetworkLocalUser => 2,
            Location::TransitNetwork => 3,
            Location::PublicNetworkRemoteUser => 4,
            Location::PrivateNetworkRemoteUser => 5,
            Location::International => 7,
            Location::BeyondInterworkingPoint => 10,
            Location::Unknown(value) => value,
        }
    }

    /// Q.850's abbreviation (`U`, `LPN`, `LN`, `TN`, `RLN`, `RPN`, `INTL`, `BI`), or `"?"`.
    pub const fn abbreviation(self) -> &'static str {
        match self {
            Location::User => "U",
            Location::PrivateNetworkLocalUser => "LPN",
            Location::PublicNetworkLocalUser => "LN",
            Location::TransitNetwork => "TN",
            Location::PublicNetworkRemoteUser => "RLN",
            Location::PrivateNetworkRemoteUser => "RPN",
            Location::International => "INTL",
            Location::BeyondInterworkingPoint => "BI",
            Location::Unknown(_) => "?",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn well_known_values_have_their_q850_codes_and_names() {
        assert_eq!(Cause::NormalClearing.to_u8(), 16);
        assert_eq!(Cause::from_u8(17), Cause::UserBusy);
        assert_eq!(Cause::from_u8(34), Cause::NoCircuitAvailable);
        assert_eq!(Cause::from_u8(44), Cause::RequestedChannelNotAvailable);
        assert_eq!(Cause::from_u8(102), Cause::RecoveryOnTimerExpiry);
        assert_eq!(Cause::from_u8(127), Cause::Interworking);
        assert_eq!(Cause::NoAnswer.name(), "no answer from user (user alerted)");
        assert_eq!(format!("{}", Cause::InvalidCallReference), "81 (invalid call reference value)");
    }

    #[test]
    fn the_table_is_in_value_order_without_gaps_in_coverage() {
        assert_eq!(Cause::ALL.len(), 69);
        assert!(Cause::ALL.windows(2).all(|w| w[0].to_u8() < w[1].to_u8()));
        assert!(Cause::ALL.iter().all(|c| Cause::from_u8(c.to_u8()) == *c && c.is_known()));
    }

    #[test]
    fn undefined_values_stay_unknown_and_round_trip() {
        assert_eq!(Cause::from_u8(0), Cause::Unknown(0));
        assert_eq!(Cause::from_u8(10), Cause::Unknown(10));
        assert_eq!(Cause::from_u8(126), Cause::Unknown(126));
        assert_eq!(Cause::Unknown(126).to_u8(), 126);
        assert_eq!(Cause::Unknown(126).name(), "unknown cause");
        assert!(!Cause::Unknown(10).is_known());
    }

    #[test]
    fn classes_follow_the_top_three_bits_at_every_boundary() {
        assert_eq!(Cause::from_u8(1).class(), CauseClass::Normal);
        assert_eq!(Cause::from_u8(31).class(), CauseClass::Normal);
        assert_eq!(Cause::from_u8(32).class(), CauseClass::ResourceUnavailable);
        assert_eq!(Cause::from_u8(47).class(), CauseClass::ResourceUnavailable);
        assert_eq!(Cause::from_u8(48).class(), CauseClass::ServiceNotAvailable);
        assert_eq!(Cause::from_u8(63).class(), CauseClass::ServiceNotAvailable);
        assert_eq!(Cause::from_u8(64).class(), CauseClass::ServiceNotImplemented);
        assert_eq!(Cause::from_u8(80).class(), CauseClass::InvalidMessage);
        assert_eq!(Cause::from_u8(96).class(), CauseClass::ProtocolError);
        assert_eq!(Cause::from_u8(111).class(), CauseClass::ProtocolError);
        assert_eq!(Cause::from_u8(112).class(), CauseClass::Interworking);
        assert_eq!(Cause::from_u8(127).class(), CauseClass::Interworking);
    }

    #[test]
    fn locations_have_their_codes_and_abbreviations() {
        let expected =
            [(0, "U"), (1, "LPN"), (2, "LN"), (3, "TN"), (4, "RLN"), (5, "RPN"), (7, "INTL"), (10, "BI")];
        for (code, abbreviation) in expected {
            let location = Location::from_u8(code);
            assert_eq!(location.to_u8(), code);
            assert_eq!(location.abbreviation(), abbreviation);
        }
        assert_eq!(Location::from_u8(6), Location::Unknown(6));
        assert_eq!(Location::from_u8(15).abbreviation(), "?");
    }

    proptest! {
        #[test]
        fn every_octet_round_trips(value: u8) {
            prop_assert_eq!(Cause::from_u8(value).to_u8(), value);
            prop_assert_eq!(Location::from_u8(value).to_u8(), value);
        }
    }
}
