//! ISUP parameters (Q.763 §3) other than numbers ([`super::number`]): each a plain struct
//! with `parse` from the parameter's contents (name and length octets already removed) and
//! `emit` of the same contents. Spare bits are sent as 0 and ignored on receipt; codes this
//! stack does not name are kept as received.

use super::IsupError;
use super::codes::ParameterName;
use crate::circuit::codes::code_enum;
use crate::circuit::octets::{Octets, Writer};
use tdm_base::{Cause, Location};

fn exact<const N: usize>(data: &[u8], name: ParameterName) -> Result<[u8; N], IsupError> {
    data.try_into().map_err(|_| IsupError::BadLength { parameter: name.code(), len: data.len() })
}

fn bit(octet: u8, n: u8) -> bool {
    octet >> n & 1 == 1
}

fn flag(value: bool, n: u8) -> u8 {
    u8::from(value) << n
}

code_enum! {
    /// Continuity check indicator (nature of connection indicators, bits DC).
    pub enum ContinuityCheck: u8 {
        /// No check.
        NotRequired = 0, "not required";
        /// Check required on this circuit.
        Required = 1, "required on this circuit";
        /// Check performed on a previous circuit.
        PerformedOnPreviousCircuit = 2, "performed on a previous circuit";
    }
}

/// Nature of connection indicators (§3.35), 1 octet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NatureOfConnection {
    /// Satellite circuits in the connection so far (bits BA: 0, 1, 2; 3 spare).
    pub satellites: u8,
    /// Continuity check indicator (bits DC).
    pub continuity_check: ContinuityCheck,
    /// An outgoing half echo control device is included (bit E).
    pub echo_control_device: bool,
}

impl Default for NatureOfConnection {
    /// No satellite, no continuity check, no echo control device.
    fn default() -> Self {
        NatureOfConnection {
            satellites: 0,
            continuity_check: ContinuityCheck::NotRequired,
            echo_control_device: false,
        }
    }
}

impl NatureOfConnection {
    /// Parses the parameter's contents.
    pub fn parse(data: &[u8]) -> Result<Self, IsupError> {
        let [o] = exact::<1>(data, ParameterName::NatureOfConnectionIndicators)?;
        Ok(NatureOfConnection {
            satellites: o & 3,
            continuity_check: ContinuityCheck::from_code(o >> 2 & 3),
            echo_control_device: bit(o, 4),
        })
    }

    /// Emits the contents.
    pub fn emit(&self, w: &mut Writer) -> Result<(), IsupError> {
        w.put(
            self.satellites & 3 | (self.continuity_check.code() & 3) << 2 | flag(self.echo_control_device, 4),
        )?;
        Ok(())
    }
}

code_enum! {
    /// ISDN user part preference indicator (forward call indicators, bits HG).
    pub enum IsupPreference: u8 {
        /// ISUP preferred all the way.
        Preferred = 0, "preferred";
        /// ISUP not required all the way.
        NotRequired = 1, "not required";
        /// ISUP required all the way.
        Required = 2, "required";
    }
}

/// Forward call indicators (§3.23), 2 octets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForwardCallIndicators {
    /// International call (bit A).
    pub international: bool,
    /// End-to-end method indicator (bits CB).
    pub end_to_end_method: u8,
    /// Interworking encountered (bit D).
    pub interworking: bool,
    /// End-to-end information available (bit E).
    pub end_to_end_information: bool,
    /// ISDN user part used all the way (bit F).
    pub isup_all_the_way: bool,
    /// ISDN user part preference (bits HG).
    pub isup_preference: IsupPreference,
    /// Originating access is ISDN (bit I).
    pub isdn_access: bool,
    /// SCCP method indicator (bits KJ).
    pub sccp_method: u8,
    /// Bits L–P (spare, ported-number and national bits), kept as received.
    pub reserved: u8,
}

impl Default for ForwardCallIndicators {
    /// A national call, ISUP all the way and preferred, non-ISDN access.
    fn default() -> Self {
        ForwardCallIndicators {
            international: false,
            end_to_end_method: 0,
            interworking: false,
            end_to_end_information: false,
            isup_all_the_way: true,
            isup_preference: IsupPreference::Preferred,
            isdn_access: false,
            sccp_method: 0,
            reserved: 0,
        }
    }
}

impl ForwardCallIndicators {
    /// Parses the parameter's contents.
    pub fn parse(data: &[u8]) -> Result<Self, IsupError> {
        let [a, b] = exact::<2>(data, ParameterName::ForwardCallIndicators)?;
        Ok(ForwardCallIndicators {
            international: bit(a, 0),
            end_to_end_method: a >> 1 & 3,
            interworking: bit(a, 3),
            end_to_end_information: bit(a, 4),
            isup_all_the_way: bit(a, 5),
            isup_preference: IsupPreference::from_code(a >> 6),
            isdn_access: bit(b, 0),
            sccp_method: b >> 1 & 3,
            reserved: b >> 3,
        })
    }

    /// Emits the contents.
    pub fn emit(&self, w: &mut Writer) -> Result<(), IsupError> {
        w.put(
            flag(self.international, 0)
                | (self.end_to_end_method & 3) << 1
                | flag(self.interworking, 3)
                | flag(self.end_to_end_information, 4)
                | flag(self.isup_all_the_way, 5)
                | (self.isup_preference.code() & 3) << 6,
        )?;
        w.put(flag(self.isdn_access, 0) | (self.sccp_method & 3) << 1 | (self.reserved & 0x1F) << 3)?;
        Ok(())
    }
}

pub use crate::circuit::category::Category;

/// Calling party's category (§3.11), 1 octet.
impl Category {
    /// Parses the parameter's contents.
    pub fn parse(data: &[u8]) -> Result<Self, IsupError> {
        let [o] = exact::<1>(data, ParameterName::CallingPartysCategory)?;
        Ok(Category(o))
    }

    /// Emits the contents.
    pub fn emit(&self, w: &mut Writer) -> Result<(), IsupError> {
        Ok(w.put(self.0)?)
    }
}

/// Transmission medium requirement (§3.54), 1 octet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TransmissionMedium(pub u8);

impl TransmissionMedium {
    /// Speech.
    pub const SPEECH: TransmissionMedium = TransmissionMedium(0);
    /// 64 kbit/s unrestricted.
    pub const UNRESTRICTED_64K: TransmissionMedium = TransmissionMedium(2);
    /// 3.1 kHz audio.
    pub const AUDIO_3K1: TransmissionMedium = TransmissionMedium(3);

    /// Parses the parameter's contents.
    pub fn parse(data: &[u8]) -> Result<Self, IsupError> {
        let [o] = exact::<1>(data, ParameterName::TransmissionMediumRequirement)?;
        Ok(TransmissionMedium(o))
    }

    /// Emits the contents.
    pub fn emit(&self, w: &mut Writer) -> Result<(), IsupError> {
        Ok(w.put(self.0)?)
    }
}

code_enum! {
    /// Called party's status indicator (backward call indicators, bits DC).
    pub enum CalledPartyStatus: u8 {
        /// No indication.
        NoIndication = 0, "no indication";
        /// Subscriber free.
        SubscriberFree = 1, "subscriber free";
        /// Connect when free (national use).
        ConnectWhenFree = 2, "connect when free";
    }
}

/// Backward call indicators (§3.5), 2 octets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackwardCallIndicators {
    /// Charge indicator (bits BA: 0 no indication, 1 no charge, 2 charge).
    pub charge: u8,
    /// Called party's status (bits DC).
    pub called_status: CalledPartyStatus,
    /// Called party's category (bits FE: 0 no indication, 1 ordinary, 2 payphone).
    pub called_category: u8,
    /// End-to-end method indicator (bits HG).
    pub end_to_end_method: u8,
    /// Interworking encountered (bit I).
    pub interworking: bool,
    /// End-to-end information available (bit J).
    pub end_to_end_information: bool,
    /// ISDN user part used all the way (bit K).
    pub isup_all_the_way: bool,
    /// Holding requested (bit L, national use).
    pub holding: bool,
    /// Terminating access is ISDN (bit M).
    pub isdn_access: bool,
    /// An incoming half echo control device is included (bit N).
    pub echo_control_device: bool,
    /// SCCP method indicator (bits PO).
    pub sccp_method: u8,
}

impl Default for BackwardCallIndicators {
    /// No indications, ISUP all the way.
    fn default() -> Self {
        BackwardCallIndicators {
            charge: 0,
            called_status: CalledPartyStatus::NoIndication,
            called_category: 0,
            end_to_end_method: 0,
            interworking: false,
            end_to_end_information: false,
            isup_all_the_way: true,
            holding: false,
            isdn_access: false,
            echo_control_device: false,
            sccp_method: 0,
        }
    }
}

impl BackwardCallIndicators {
    /// Parses the parameter's contents.
    pub fn parse(data: &[u8]) -> Result<Self, IsupError> {
        let [a, b] = exact::<2>(data, ParameterName::BackwardCallIndicators)?;
        Ok(BackwardCallIndicators {
            charge: a & 3,
            called_status: CalledPartyStatus::from_code(a >> 2 & 3),
            called_category: a >> 4 & 3,
            end_to_end_method: a >> 6,
            interworking: bit(b, 0),
            end_to_end_information: bit(b, 1),
            isup_all_the_way: bit(b, 2),
            holding: bit(b, 3),
            isdn_access: bit(b, 4),
            echo_control_device: bit(b, 5),
            sccp_method: b >> 6,
        })
    }

    /// Emits the contents.
    pub fn emit(&self, w: &mut Writer) -> Result<(), IsupError> {
        w.put(
            self.charge & 3
                | (self.called_status.code() & 3) << 2
                | (self.called_category & 3) << 4
                | (self.end_to_end_method & 3) << 6,
        )?;
        w.put(
            flag(self.interworking, 0)
                | flag(self.end_to_end_information, 1)
                | flag(self.isup_all_the_way, 2)
                | flag(self.holding, 3)
                | flag(self.isdn_access, 4)
                | flag(self.echo_control_device, 5)
                | (self.sccp_method & 3) << 6,
        )?;
        Ok(())
    }
}

/// Optional backward call indicators (§3.37), 1 octet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OptionalBackwardCallIndicators {
    /// In-band information or an appropriate pattern is now available (bit A).
    pub inband_information: bool,
    /// Call diversion may occur (bit B).
    pub call_diversion_may_occur: bool,
    /// Additional information will be sent in a segmentation message (bit C).
    pub simple_segmentation: bool,
    /// MLPP user (bit D).
    pub mlpp_user: bool,
    /// Bits E–H, reserved for national use, kept as received.
    pub national: u8,
}

impl OptionalBackwardCallIndicators {
    /// Parses the parameter's contents.
    pub fn parse(data: &[u8]) -> Result<Self, IsupError> {
        let [o] = exact::<1>(data, ParameterName::OptionalBackwardCallIndicators)?;
        Ok(OptionalBackwardCallIndicators {
            inband_information: bit(o, 0),
            call_diversion_may_occur: bit(o, 1),
            simple_segmentation: bit(o, 2),
            mlpp_user: bit(o, 3),
            national: o >> 4,
        })
    }

    /// Emits the contents.
    pub fn emit(&self, w: &mut Writer) -> Result<(), IsupError> {
        w.put(
            flag(self.inband_information, 0)
                | flag(self.call_diversion_may_occur, 1)
                | flag(self.simple_segmentation, 2)
                | flag(self.mlpp_user, 3)
                | (self.national & 0x0F) << 4,
        )?;
        Ok(())
    }
}

/// Optional forward call indicators (§3.38), 1 octet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OptionalForwardCallIndicators {
    /// Closed user group call indicator (bits BA: 0 non-CUG, 2 CUG with outgoing access, 3
    /// CUG without).
    pub cug: u8,
    /// Additional information will be sent in a segmentation message (bit C).
    pub simple_segmentation: bool,
    /// Connected line identity requested (bit H).
    pub connected_line_identity_request: bool,
}

impl OptionalForwardCallIndicators {
    /// Parses the parameter's contents.
    pub fn parse(data: &[u8]) -> Result<Self, IsupError> {
        let [o] = exact::<1>(data, ParameterName::OptionalForwardCallIndicators)?;
        Ok(OptionalForwardCallIndicators {
            cug: o & 3,
            simple_segmentation: bit(o, 2),
            connected_line_identity_request: bit(o, 7),
        })
    }

    /// Emits the contents.
    pub fn emit(&self, w: &mut Writer) -> Result<(), IsupError> {
        w.put(
            self.cug & 3 | flag(self.simple_segmentation, 2) | flag(self.connected_line_identity_request, 7),
        )?;
        Ok(())
    }
}

/// Redirection information (§3.45), 2 octets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RedirectionInformation {
    /// Redirecting indicator (bits CBA: 0 no redirection, 1 call rerouted, 3 call diverted,
    /// ...).
    pub redirecting_indicator: u8,
    /// Original redirection reason (bits HGFE: 0 unknown, 1 user busy, 2 no reply, 3
    /// unconditional).
    pub original_reason: u8,
    /// Redirection counter (bits KJI, 1–5).
    pub counter: u8,
    /// Redirecting reason (bits PONM, codes as the original reason).
    pub reason: u8,
}

impl RedirectionInformation {
    /// Parses the parameter's contents. Q.763 allows the second octet to be absent in older
    /// versions; it then counts as zero.
    pub fn parse(data: &[u8]) -> Result<Self, IsupError> {
        let (a, b) = match data {
            [a] => (*a, 0),
            [a, b] => (*a, *b),
            _ => {
                return Err(IsupError::BadLength {
                    parameter: ParameterName::RedirectionInformation.code(),
                    len: data.len(),
                });
            }
        };
        Ok(RedirectionInformation {
            redirecting_indicator: a & 7,
            original_reason: a >> 4,
            counter: b & 7,
            reason: b >> 4,
        })
    }

    /// Emits the contents (always both octets).
    pub fn emit(&self, w: &mut Writer) -> Result<(), IsupError> {
        w.put(self.redirecting_indicator & 7 | (self.original_reason & 0x0F) << 4)?;
        w.put(self.counter & 7 | (self.reason & 0x0F) << 4)?;
        Ok(())
    }
}

/// Information request indicators (§3.29, national use), 2 octets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct InformationRequest {
    /// Calling party address requested (bit A).
    pub calling_party_address: bool,
    /// Holding requested (bit B).
    pub holding: bool,
    /// Calling party's category requested (bit D).
    pub calling_party_category: bool,
    /// Charge information requested (bit E).
    pub charge_information: bool,
    /// Malicious call identification requested (bit H).
    pub malicious_call_identification: bool,
}

impl InformationRequest {
    /// Parses the parameter's contents.
    pub fn parse(data: &[u8]) -> Result<Self, IsupError> {
        let [a, _] = exact::<2>(data, ParameterName::InformationRequestIndicators)?;
        Ok(InformationRequest {
            calling_party_address: bit(a, 0),
            holding: bit(a, 1),
            calling_party_category: bit(a, 3),
            charge_information: bit(a, 4),
            malicious_call_identification: bit(a, 7),
        })
    }

    /// Emits the contents.
    pub fn emit(&self, w: &mut Writer) -> Result<(), IsupError> {
        w.put(
            flag(self.calling_party_address, 0)
                | flag(self.holding, 1)
                | flag(self.calling_party_category, 3)
                | flag(self.charge_information, 4)
                | flag(self.malicious_call_identification, 7),
        )?;
        w.put(0)?;
        Ok(())
    }
}

code_enum! {
    /// Calling party address response indicator (information indicators, bits BA).
    pub enum AddressResponse: u8 {
        /// Calling party address not included.
        NotIncluded = 0, "not included";
        /// Calling party address not available.
        NotAvailable = 1, "not available";
        /// Calling party address included.
        Included = 3, "included";
    }
}

/// Information indicators (§3.28, national use), 2 octets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InformationIndicators {
    /// Calling party address response (bits BA).
    pub calling_party_address: AddressResponse,
    /// Hold provided (bit C).
    pub hold_provided: bool,
    /// Calling party's category included (bit F).
    pub calling_party_category: bool,
    /// Charge information included (bit G).
    pub charge_information: bool,
    /// Unsolicited (bit H; 0 = solicited).
    pub unsolicited: bool,
}

impl InformationIndicators {
    /// Parses the parameter's contents.
    pub fn parse(data: &[u8]) -> Result<Self, IsupError> {
        let [a, _] = exact::<2>(data, ParameterName::InformationIndicators)?;
        Ok(InformationIndicators {
            calling_party_address: AddressResponse::from_code(a & 3),
            hold_provided: bit(a, 2),
            calling_party_category: bit(a, 5),
            charge_information: bit(a, 6),
            unsolicited: bit(a, 7),
        })
    }

    /// Emits the contents.
    pub fn emit(&self, w: &mut Writer) -> Result<(), IsupError> {
        w.put(
            self.calling_party_address.code() & 3
                | flag(self.hold_provided, 2)
                | flag(self.calling_party_category, 5)
                | flag(self.charge_information, 6)
                | flag(self.unsolicited, 7),
        )?;
        w.put(0)?;
        Ok(())
    }
}

/// Continuity indicators (§3.18), 1 octet: whether the continuity check succeeded (bit A).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContinuityIndicators {
    /// The check succeeded.
    pub successful: bool,
}

impl ContinuityIndicators {
    /// Parses the parameter's contents.
    pub fn parse(data: &[u8]) -> Result<Self, IsupError> {
        let [o] = exact::<1>(data, ParameterName::ContinuityIndicators)?;
        Ok(ContinuityIndicators { successful: bit(o, 0) })
    }

    /// Emits the contents.
    pub fn emit(&self, w: &mut Writer) -> Result<(), IsupError> {
        Ok(w.put(u8::from(self.successful))?)
    }
}

/// Suspend/resume indicators (§3.52), 1 octet: bit A, network initiated (else the ISDN
/// subscriber initiated it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SuspendResume {
    /// Network initiated.
    pub network_initiated: bool,
}

impl SuspendResume {
    /// Parses the parameter's contents.
    pub fn parse(data: &[u8]) -> Result<Self, IsupError> {
        let [o] = exact::<1>(data, ParameterName::SuspendResumeIndicators)?;
        Ok(SuspendResume { network_initiated: bit(o, 0) })
    }

    /// Emits the contents.
    pub fn emit(&self, w: &mut Writer) -> Result<(), IsupError> {
        Ok(w.put(u8::from(self.network_initiated))?)
    }
}

code_enum! {
    /// Event indicator (event information, bits G–A).
    pub enum EventIndicator: u8 {
        /// Alerting.
        Alerting = 1, "alerting";
        /// Progress.
        Progress = 2, "progress";
        /// In-band information or an appropriate pattern is now available.
        InbandInformation = 3, "in-band information available";
        /// Call forwarded on busy.
        ForwardedOnBusy = 4, "call forwarded on busy";
        /// Call forwarded on no reply.
        ForwardedOnNoReply = 5, "call forwarded on no reply";
        /// Call forwarded unconditional.
        ForwardedUnconditional = 6, "call forwarded unconditional";
    }
}

/// Event information (§3.21), 1 octet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventInformation {
    /// Which event.
    pub event: EventIndicator,
    /// Event presentation restricted (bit H).
    pub presentation_restricted: bool,
}

impl EventInformation {
    /// Parses the parameter's contents.
    pub fn parse(data: &[u8]) -> Result<Self, IsupError> {
        let [o] = exact::<1>(data, ParameterName::EventInformation)?;
        Ok(EventInformation {
            event: EventIndicator::from_code(o & 0x7F),
            presentation_restricted: bit(o, 7),
        })
    }

    /// Emits the contents.
    pub fn emit(&self, w: &mut Writer) -> Result<(), IsupError> {
        Ok(w.put(self.event.code() & 0x7F | flag(self.presentation_restricted, 7))?)
    }
}

code_enum! {
    /// Circuit group supervision message type indicator (§3.13, bits BA).
    pub enum GroupSupervisionType: u8 {
        /// Maintenance oriented.
        Maintenance = 0, "maintenance oriented";
        /// Hardware failure oriented.
        HardwareFailure = 1, "hardware failure oriented";
    }
}

impl GroupSupervisionType {
    /// Parses the parameter's contents.
    pub fn parse(data: &[u8]) -> Result<Self, IsupError> {
        let [o] = exact::<1>(data, ParameterName::CircuitGroupSupervisionMessageType)?;
        Ok(GroupSupervisionType::from_code(o & 3))
    }

    /// Emits the contents.
    pub fn emit(&self, w: &mut Writer) -> Result<(), IsupError> {
        Ok(w.put(self.code() & 3)?)
    }
}

pub use crate::circuit::range::StatusBits;

/// Range and status (§3.43): the range (number of circuits − 1) and, in the messages that
/// carry it, one status bit per circuit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RangeAndStatus {
    /// Range: the message covers CICs `cic ..= cic + range`.
    pub range: u8,
    /// The status bits (`range + 1` of them), when present.
    pub status: Option<StatusBits>,
}

impl RangeAndStatus {
    /// A range without status (GRS, CQM).
    pub const fn range_only(range: u8) -> Self {
        RangeAndStatus { range, status: None }
    }

    /// Parses the parameter's contents: a range octet, then either nothing or exactly the
    /// `(range + 2) / 8` octets the status bits need (unused bits ignored).
    pub fn parse(data: &[u8]) -> Result<Self, IsupError> {
        let name = ParameterName::RangeAndStatus.code();
        let (&range, status) = data.split_first().ok_or(IsupError::BadLength { parameter: name, len: 0 })?;
        if status.is_empty() {
            return Ok(RangeAndStatus { range, status: None });
        }
        if status.len() != (usize::from(range) + 8) / 8 {
            return Err(IsupError::BadLength { parameter: name, len: data.len() });
        }
        let mut bits = StatusBits::new();
        for i in 0..=range {
            bits.set(i, status[usize::from(i / 8)] >> (i % 8) & 1 == 1);
        }
        Ok(RangeAndStatus { range, status: Some(bits) })
    }

    /// Emits the contents.
    pub fn emit(&self, w: &mut Writer) -> Result<(), IsupError> {
        w.put(self.range)?;
        if let Some(bits) = &self.status {
            for octet in 0..=self.range / 8 {
                let mut value = 0u8;
                for bit in 0..8u8 {
                    let i = u16::from(octet) * 8 + u16::from(bit);
                    if i <= u16::from(self.range) && bits.get(i as u8) {
                        value |= 1 << bit;
                    }
                }
                w.put(value)?;
            }
        }
        Ok(())
    }
}

/// Circuit state indicator (§3.14, national use): one octet per circuit of the range, in
/// CQR.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CircuitStates(pub Octets<32>);

/// One circuit's state as CQR reports it (§3.14).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportedState {
    /// Bits DC = 00, BA = 00: the circuit is in a transient state.
    Transient,
    /// Bits DC = 00, BA = 11: the CIC is not equipped.
    Unequipped,
    /// Bits DC = 00, BA = 01 or 10: spare codes.
    Spare(u8),
    /// Bits DC ≠ 00: call processing state, maintenance and hardware blocking.
    Equipped {
        /// Maintenance blocking state (bits BA: 0 none, 1 local, 2 remote, 3 both).
        maintenance: u8,
        /// Call processing state (bits DC: 1 incoming busy, 2 outgoing busy, 3 idle).
        call: u8,
        /// Hardware blocking state (bits FE: 0 none, 1 local, 2 remote, 3 both).
        hardware: u8,
    },
}

impl ReportedState {
    /// Decodes one state octet.
    pub fn from_octet(o: u8) -> Self {
        match (o >> 2 & 3, o & 3) {
            (0, 0) => ReportedState::Transient,
            (0, 3) => ReportedState::Unequipped,
            (0, spare) => ReportedState::Spare(spare),
            (call, maintenance) => ReportedState::Equipped { maintenance, call, hardware: o >> 4 & 3 },
        }
    }

    /// Encodes one state octet.
    pub fn to_octet(self) -> u8 {
        match self {
            ReportedState::Transient => 0,
            ReportedState::Unequipped => 3,
            ReportedState::Spare(code) => code & 3,
            ReportedState::Equipped { maintenance, call, hardware } => {
                maintenance & 3 | (call & 3) << 2 | (hardware & 3) << 4
            }
        }
    }
}

impl CircuitStates {
    /// Parses the parameter's contents (1–32 octets).
    pub fn parse(data: &[u8]) -> Result<Self, IsupError> {
        match Octets::from_slice(data) {
            Some(octets) if !data.is_empty() => Ok(CircuitStates(octets)),
            _ => Err(IsupError::BadLength {
                parameter: ParameterName::CircuitStateIndicator.code(),
                len: data.len(),
            }),
        }
    }

    /// Emits the contents.
    pub fn emit(&self, w: &mut Writer) -> Result<(), IsupError> {
        Ok(w.put_slice(self.0.as_slice())?)
    }

    /// The state of each circuit.
    pub fn states(&self) -> impl Iterator<Item = ReportedState> + '_ {
        self.0.as_slice().iter().map(|o| ReportedState::from_octet(*o))
    }
}

/// Longest cause diagnostic kept; longer diagnostics are cut to this length on receipt.
pub const MAX_DIAGNOSTIC: usize = 32;

/// Cause indicators (§3.12, coded as Q.850).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CauseIndicators {
    /// Coding standard (bits GF of octet 1: 0 ITU-T, 2 national).
    pub coding_standard: u8,
    /// Location (bits D–A of octet 1).
    pub location: Location,
    /// Recommendation (octet 1a), when sent.
    pub recommendation: Option<u8>,
    /// The cause value.
    pub cause: Cause,
    /// Diagnostic octets (the message type or parameter names for causes 97, 99, 110).
    pub diagnostic: Octets<MAX_DIAGNOSTIC>,
}

impl CauseIndicators {
    /// An ITU-T coded cause from `location` with no diagnostic.
    pub fn new(location: Location, cause: Cause) -> Self {
        CauseIndicators {
            coding_standard: 0,
            location,
            recommendation: None,
            cause,
            diagnostic: Octets::new(),
        }
    }

    /// The same with a diagnostic (truncated to [`MAX_DIAGNOSTIC`] octets).
    pub fn with_diagnostic(mut self, diagnostic: &[u8]) -> Self {
        let take = diagnostic.len().min(MAX_DIAGNOSTIC);
        self.diagnostic = Octets::from_slice(&diagnostic[..take]).unwrap_or_default();
        self
    }

    /// Parses the parameter's contents.
    pub fn parse(data: &[u8]) -> Result<Self, IsupError> {
        let bad = || IsupError::BadContent { parameter: ParameterName::CauseIndicators.code() };
        let (&first, rest) = data.split_first().ok_or_else(bad)?;
        let (recommendation, rest) = if first & 0x80 == 0 {
            let (&octet, rest) = rest.split_first().ok_or_else(bad)?;
            if octet & 0x80 == 0 {
                return Err(bad());
            }
            (Some(octet & 0x7F), rest)
        } else {
            (None, rest)
        };
        let (&value, diagnostic) = rest.split_first().ok_or_else(bad)?;
        Ok(CauseIndicators {
            coding_standard: first >> 5 & 3,
            location: Location::from_u8(first & 0x0F),
            recommendation,
            cause: Cause::from_u8(value & 0x7F),
            diagnostic: Octets::from_slice(&diagnostic[..diagnostic.len().min(MAX_DIAGNOSTIC)])
                .unwrap_or_default(),
        })
    }

    /// Emits the contents.
    pub fn emit(&self, w: &mut Writer) -> Result<(), IsupError> {
        let ext = if self.recommendation.is_some() { 0 } else { 0x80 };
        w.put(ext | (self.coding_standard & 3) << 5 | self.location.to_u8() & 0x0F)?;
        if let Some(recommendation) = self.recommendation {
            w.put(0x80 | recommendation & 0x7F)?;
        }
        w.put(0x80 | self.cause.to_u8() & 0x7F)?;
        w.put_slice(self.diagnostic.as_slice())?;
        Ok(())
    }
}

/// Instruction indicators of message compatibility information (§3.33), first octet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MessageInstructions {
    /// End node interpretation at an intermediate exchange (bit A; 0 = transit).
    pub end_node_interpretation: bool,
    /// Release the call (bit B).
    pub release_call: bool,
    /// Send notification (bit C).
    pub send_notification: bool,
    /// Discard the message (bit D; 0 = pass on).
    pub discard_message: bool,
    /// When passing on is not possible, discard the information (bit E; 0 = release call).
    pub pass_on_not_possible_discard: bool,
    /// Broadband/narrowband interworking indicator (bits GF).
    pub broadband_interworking: u8,
}

impl MessageInstructions {
    /// Parses the parameter's contents: the first instruction octet; further octets of an
    /// extended field (bit 8 = 0) are skipped.
    pub fn parse(data: &[u8]) -> Result<Self, IsupError> {
        let bad =
            || IsupError::BadContent { parameter: ParameterName::MessageCompatibilityInformation.code() };
        let (&o, rest) = data.split_first().ok_or_else(bad)?;
        let last = data.iter().position(|b| b & 0x80 != 0).ok_or_else(bad)?;
        if last != rest.len() {
            return Err(bad());
        }
        Ok(MessageInstructions {
            end_node_interpretation: bit(o, 0),
            release_call: bit(o, 1),
            send_notification: bit(o, 2),
            discard_message: bit(o, 3),
            pass_on_not_possible_discard: bit(o, 4),
            broadband_interworking: o >> 5 & 3,
        })
    }

    /// Emits the contents (one octet).
    pub fn emit(&self, w: &mut Writer) -> Result<(), IsupError> {
        w.put(
            0x80 | flag(self.end_node_interpretation, 0)
                | flag(self.release_call, 1)
                | flag(self.send_notification, 2)
                | flag(self.discard_message, 3)
                | flag(self.pass_on_not_possible_discard, 4)
                | (self.broadband_interworking & 3) << 5,
        )?;
        Ok(())
    }
}

code_enum! {
    /// What to do with an unrecognized parameter when passing it on is not possible (bits GF
    /// of a parameter's instruction indicators).
    pub enum PassOnNotPossible: u8 {
        /// Release the call.
        ReleaseCall = 0, "release call";
        /// Discard the message.
        DiscardMessage = 1, "discard message";
        /// Discard the parameter.
        DiscardParameter = 2, "discard parameter";
    }
}

/// Instruction indicators for one parameter (parameter compatibility information, §3.41).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParameterInstructions {
    /// The parameter these instructions are for.
    pub parameter: u8,
    /// End node interpretation at an intermediate exchange (bit A; 0 = transit).
    pub end_node_interpretation: bool,
    /// Release the call (bit B).
    pub release_call: bool,
    /// Send notification (bit C).
    pub send_notification: bool,
    /// Discard the message (bit D).
    pub discard_message: bool,
    /// Discard the parameter (bit E; with D = 0 and E = 0: pass on).
    pub discard_parameter: bool,
    /// When passing on is not possible (bits GF; 11 is reserved and read as "release call").
    pub pass_on_not_possible: PassOnNotPossible,
}

/// Most parameters one parameter compatibility information lists.
pub const MAX_PARAMETER_INSTRUCTIONS: usize = 8;

/// Parameter compatibility information (§3.41): instructions per parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ParameterCompatibility {
    entries: [Option<ParameterInstructions>; MAX_PARAMETER_INSTRUCTIONS],
}

impl ParameterCompatibility {
    /// No entries.
    pub const fn new() -> Self {
        ParameterCompatibility { entries: [None; MAX_PARAMETER_INSTRUCTIONS] }
    }

    /// Adds an entry; `false` when full.
    pub fn push(&mut self, entry: ParameterInstructions) -> bool {
        match self.entries.iter_mut().find(|slot| slot.is_none()) {
            Some(slot) => {
                *slot = Some(entry);
                true
            }
            None => false,
        }
    }

    /// The entries.
    pub fn iter(&self) -> impl Iterator<Item = &ParameterInstructions> {
        self.entries.iter().flatten()
    }

    /// The instructions for parameter `code`.
    pub fn find(&self, code: u8) -> Option<&ParameterInstructions> {
        self.iter().find(|entry| entry.parameter == code)
    }

    /// Parses the parameter's contents: pairs of a parameter name and its instruction octets
    /// (the last of which has bit 8 set; octets after the first are skipped).
    pub fn parse(data: &[u8]) -> Result<Self, IsupError> {
        let bad =
            || IsupError::BadContent { parameter: ParameterName::ParameterCompatibilityInformation.code() };
        let mut result = ParameterCompatibility::new();
        let mut rest = data;
        if rest.is_empty() {
            return Err(bad());
        }
        while let [parameter, o, tail @ ..] = rest {
            let mut tail = tail;
            let mut last = *o;
            while last & 0x80 == 0 {
                let (&next, more) = tail.split_first().ok_or_else(bad)?;
                last = next;
                tail = more;
            }
            let pass_on = o >> 5 & 3;
            let entry = ParameterInstructions {
                parameter: *parameter,
                end_node_interpretation: bit(*o, 0),
                release_call: bit(*o, 1),
                send_notification: bit(*o, 2),
                discard_message: bit(*o, 3),
                discard_parameter: bit(*o, 4),
                pass_on_not_possible: if pass_on == 3 {
                    PassOnNotPossible::ReleaseCall
                } else {
                    PassOnNotPossible::from_code(pass_on)
                },
            };
            if !result.push(entry) {
                return Err(bad());
            }
            rest = tail;
        }
        if rest.is_empty() { Ok(result) } else { Err(bad()) }
    }

    /// Emits the contents.
    pub fn emit(&self, w: &mut Writer) -> Result<(), IsupError> {
        for entry in self.iter() {
            w.put(entry.parameter)?;
            w.put(
                0x80 | flag(entry.end_node_interpretation, 0)
                    | flag(entry.release_call, 1)
                    | flag(entry.send_notification, 2)
                    | flag(entry.discard_message, 3)
                    | flag(entry.discard_parameter, 4)
                    | (entry.pass_on_not_possible.code() & 3) << 5,
            )?;
        }
        Ok(())
    }
}

/// User service information (§3.57): the contents of a Q.931 bearer capability (octets 3
/// onward), kept as sent, with accessors for the fields call control looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserServiceInformation(pub Octets<16>);

impl UserServiceInformation {
    /// Speech, 64 kbit/s circuit mode, G.711 A-law.
    pub fn speech_alaw() -> Self {
        UserServiceInformation(Octets::from_slice(&[0x80, 0x90, 0xA3]).unwrap_or_default())
    }

    /// 3.1 kHz audio, 64 kbit/s circuit mode, G.711 A-law.
    pub fn audio_alaw() -> Self {
        UserServiceInformation(Octets::from_slice(&[0x90, 0x90, 0xA3]).unwrap_or_default())
    }

    /// Parses the parameter's contents (2–16 octets).
    pub fn parse(data: &[u8]) -> Result<Self, IsupError> {
        match Octets::from_slice(data) {
            Some(octets) if data.len() >= 2 => Ok(UserServiceInformation(octets)),
            _ => Err(IsupError::BadLength {
                parameter: ParameterName::UserServiceInformation.code(),
                len: data.len(),
            }),
        }
    }

    /// Emits the contents.
    pub fn emit(&self, w: &mut Writer) -> Result<(), IsupError> {
        Ok(w.put_slice(self.0.as_slice())?)
    }

    /// Information transfer capability (octet 3, bits 5–1: 0 speech, 8 unrestricted digital,
    /// 16 3.1 kHz audio).
    pub fn transfer_capability(&self) -> u8 {
        self.0.as_slice().first().map_or(0, |o| o & 0x1F)
    }

    /// Information transfer rate (octet 4, bits 5–1: 16 = 64 kbit/s).
    pub fn transfer_rate(&self) -> u8 {
        self.0.as_slice().get(1).map_or(0, |o| o & 0x1F)
    }

    /// User information layer 1 protocol (2 = G.711 µ-law, 3 = A-law), when present.
    pub fn layer1_protocol(&self) -> Option<u8> {
        self.0.as_slice().iter().skip(2).find(|o| *o >> 5 & 3 == 1).map(|o| o & 0x1F)
    }
}

/// A parameter carried as raw octets: one this stack recognizes but does not decode, or one
/// it does not recognize at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawParameter {
    /// Parameter name.
    pub name: u8,
    /// Contents.
    pub data: Octets<MAX_RAW_PARAMETER>,
}

/// Longest raw parameter kept (longer ones are truncated to this, which only matters for
/// diagnostics: this stack never passes raw parameters on).
pub const MAX_RAW_PARAMETER: usize = 32;

impl RawParameter {
    /// A raw parameter (contents truncated to [`MAX_RAW_PARAMETER`]).
    pub fn new(name: u8, data: &[u8]) -> Self {
        let take = data.len().min(MAX_RAW_PARAMETER);
        RawParameter { name, data: Octets::from_slice(&data[..take]).unwrap_or_default() }
    }
}
