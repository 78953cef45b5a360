//! Userspace E1 driver.
