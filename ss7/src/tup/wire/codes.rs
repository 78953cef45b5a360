//! TUP headings (Q.723 §3; China additions from GF 001-9001 as tabulated in the reference
//! §3.4): each message is identified by one octet, H1 in the high nibble and H0 (the message
//! group) in the low nibble.

use super::Variant;
use crate::circuit::codes::code_enum;
use core::fmt;

code_enum! {
    /// A TUP message, by heading octet (H1 << 4 | H0).
    pub enum MessageType: u8 {
        /// Initial address message (FAM).
        Iam = 0x11, "IAM";
        /// Initial address message with additional information (FAM).
        Iai = 0x21, "IAI";
        /// Subsequent address message (FAM).
        Sam = 0x31, "SAM";
        /// Subsequent address message with one signal (FAM).
        Sao = 0x41, "SAO";
        /// General forward set-up information message (FSM).
        Gsm = 0x12, "GSM";
        /// Continuity signal (FSM).
        Cot = 0x32, "COT";
        /// Continuity-failure signal (FSM).
        Ccf = 0x42, "CCF";
        /// General request message (BSM).
        Grq = 0x13, "GRQ";
        /// Address complete message (SBM).
        Acm = 0x14, "ACM";
        /// Charging message (SBM).
        Chg = 0x24, "CHG";
        /// Switching-equipment-congestion signal (UBM).
        Sec = 0x15, "SEC";
        /// Circuit-group-congestion signal (UBM).
        Cgc = 0x25, "CGC";
        /// National-network-congestion signal (UBM).
        Nnc = 0x35, "NNC";
        /// Address-incomplete signal (UBM).
        Adi = 0x45, "ADI";
        /// Call-failure signal (UBM).
        Cfl = 0x55, "CFL";
        /// Subscriber-busy signal, electrical (UBM).
        Ssb = 0x65, "SSB";
        /// Unallocated-number signal (UBM).
        Unn = 0x75, "UNN";
        /// Line-out-of-service signal (UBM).
        Los = 0x85, "LOS";
        /// Send-special-information-tone signal (UBM).
        Sst = 0x95, "SST";
        /// Access-barred signal (UBM).
        Acb = 0xA5, "ACB";
        /// Digital-path-not-provided signal (UBM).
        Dpn = 0xB5, "DPN";
        /// Misdialled-trunk-prefix signal (UBM).
        Mpr = 0xC5, "MPR";
        /// Extended unsuccessful backward set-up information message (UBM).
        Eum = 0xF5, "EUM";
        /// Answer signal, unqualified (CSM).
        Anu = 0x06, "ANU";
        /// Answer signal, charge (CSM).
        Anc = 0x16, "ANC";
        /// Answer signal, no charge (CSM).
        Ann = 0x26, "ANN";
        /// Clear-back signal (CSM).
        Cbk = 0x36, "CBK";
        /// Clear-forward signal (CSM).
        Clf = 0x46, "CLF";
        /// Re-answer signal (CSM).
        Ran = 0x56, "RAN";
        /// Forward-transfer signal (CSM).
        Fot = 0x66, "FOT";
        /// Calling-party-clear signal (CSM).
        Ccl = 0x76, "CCL";
        /// Release-guard signal (CCM).
        Rlg = 0x17, "RLG";
        /// Blocking signal (CCM).
        Blo = 0x27, "BLO";
        /// Blocking-acknowledgement signal (CCM).
        Bla = 0x37, "BLA";
        /// Unblocking signal (CCM).
        Ubl = 0x47, "UBL";
        /// Unblocking-acknowledgement signal (CCM).
        Uba = 0x57, "UBA";
        /// Continuity-check-request signal (CCM).
        Ccr = 0x67, "CCR";
        /// Reset-circuit signal (CCM).
        Rsc = 0x77, "RSC";
        /// Maintenance oriented group blocking (GRM).
        Mgb = 0x18, "MGB";
        /// Maintenance oriented group blocking acknowledgement (GRM).
        Mba = 0x28, "MBA";
        /// Maintenance oriented group unblocking (GRM).
        Mgu = 0x38, "MGU";
        /// Maintenance oriented group unblocking acknowledgement (GRM).
        Mua = 0x48, "MUA";
        /// Hardware failure oriented group blocking (GRM).
        Hgb = 0x58, "HGB";
        /// Hardware failure oriented group blocking acknowledgement (GRM).
        Hba = 0x68, "HBA";
        /// Hardware failure oriented group unblocking (GRM).
        Hgu = 0x78, "HGU";
        /// Hardware failure oriented group unblocking acknowledgement (GRM).
        Hua = 0x88, "HUA";
        /// Circuit group reset (GRM).
        Grs = 0x98, "GRS";
        /// Circuit group reset acknowledgement (GRM).
        Gra = 0xA8, "GRA";
        /// Software generated group blocking (GRM).
        Sgb = 0xB8, "SGB";
        /// Software generated group blocking acknowledgement (GRM).
        Sba = 0xC8, "SBA";
        /// Software generated group unblocking (GRM).
        Sgu = 0xD8, "SGU";
        /// Software generated group unblocking acknowledgement (GRM).
        Sua = 0xE8, "SUA";
        /// Automatic congestion control information (CNM).
        Acc = 0x1A, "ACC";
        /// Metering pulse message (China, NSB).
        Mpm = 0x2C, "MPM";
        /// Operator signal (China, NCB).
        Opr = 0x1D, "OPR";
        /// Subscriber local-busy signal (China, NUB).
        Slb = 0x1E, "SLB";
        /// Subscriber toll-busy signal (China, NUB).
        Stb = 0x2E, "STB";
        /// Malicious call identification signal (China, NAM).
        Mal = 0x1F, "MAL";
    }
}

impl MessageType {
    /// The message a heading octet identifies in `variant`: the China national groups
    /// (H0 = C–F) are unknown in the ITU variant.
    pub fn from_heading(variant: Variant, heading: u8) -> MessageType {
        let national = heading & 0x0F >= 0x0C;
        if national && variant == Variant::Itu {
            return MessageType::Unknown(heading);
        }
        MessageType::from_code(heading)
    }

    /// The message group (H0).
    pub fn h0(self) -> u8 {
        self.code() & 0x0F
    }

    /// H1.
    pub fn h1(self) -> u8 {
        self.code() >> 4
    }
}

impl fmt::Display for MessageType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MessageType::Unknown(code) => write!(f, "heading {code:#04x}"),
            known => f.write_str(known.name()),
        }
    }
}
