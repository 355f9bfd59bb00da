// Package certificate issues certificates of volunteer service (志愿服务记录证明) under
// 《志愿服务记录与证明出具办法（试行）》(民政部令第67号) and 民发〔2015〕149号: "谁记录谁证明", only the
// organization that recorded the service certifies it.
//
// A volunteer asks an organization for a certificate (Request); the organization accepts or refuses
// it with a reason within 10 working days (Accept, Refuse), then issues it (Issue), or issues one
// without a request. A certificate is a snapshot of the verified service records of the period, kept
// as issued, numbered per organization and year without gaps, entered in the organization's
// register (List, ExportRegister) and printed as a PDF (PDF) whose QR code carries an Ed25519
// signature anyone can check offline (Verify, WellKnown) or against the register (Check). A
// certificate is revoked with a reason (Revoke), or replaced after its records were corrected
// (Supersede, Stale).
//
// Who may do what is the caller's decision: the web layer authorizes, the service records who
// acted in the certificate and in the audit log.
package certificate
