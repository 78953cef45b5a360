//! The calling party's category: one code space for ISUP (8 bits, Q.763 §3.11) and TUP
//! (6 bits, Q.723 §3.1; China additions from GF 001-9001).

/// Calling party's category. ISUP and TUP share the codes below 16; 16–24 are China TUP's
/// national categories (their ISUP counterparts in YDN 038 are unconfirmed and pass through
/// as plain codes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Category(pub u8);

impl Category {
    /// Category unknown at this time.
    pub const UNKNOWN: Category = Category(0);
    /// Operator, language French.
    pub const OPERATOR_FRENCH: Category = Category(1);
    /// Operator, language English.
    pub const OPERATOR_ENGLISH: Category = Category(2);
    /// Operator, language German.
    pub const OPERATOR_GERMAN: Category = Category(3);
    /// Operator, language Russian.
    pub const OPERATOR_RUSSIAN: Category = Category(4);
    /// Operator, language Spanish.
    pub const OPERATOR_SPANISH: Category = Category(5);
    /// Language by mutual agreement: Chinese in China's TUP table.
    pub const OPERATOR_CHINESE: Category = Category(6);
    /// National operator (with offering facility).
    pub const NATIONAL_OPERATOR: Category = Category(9);
    /// Ordinary calling subscriber.
    pub const ORDINARY: Category = Category(10);
    /// Calling subscriber with priority.
    pub const PRIORITY: Category = Category(11);
    /// Data call (voice band data).
    pub const DATA: Category = Category(12);
    /// Test call.
    pub const TEST: Category = Category(13);
    /// Payphone.
    pub const PAYPHONE: Category = Category(15);
    /// China TUP: ordinary, no charge.
    pub const CHINA_ORDINARY_FREE: Category = Category(16);
    /// China TUP: ordinary, periodic metering.
    pub const CHINA_ORDINARY_PERIODIC: Category = Category(17);
    /// China TUP: ordinary, subscriber meter, immediate.
    pub const CHINA_ORDINARY_METER: Category = Category(18);
    /// China TUP: ordinary, printer, immediate.
    pub const CHINA_ORDINARY_PRINTER: Category = Category(19);
    /// China TUP: priority, no charge.
    pub const CHINA_PRIORITY_FREE: Category = Category(20);
    /// China TUP: priority, periodic metering.
    pub const CHINA_PRIORITY_PERIODIC: Category = Category(21);
    /// China TUP: ordinary, between local exchanges.
    pub const CHINA_LOCAL: Category = Category(24);
}
