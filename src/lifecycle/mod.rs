//! The life cycle above environments and flows: opening a store and seeding
//! its tenant (`tenant`).

mod tenant;
