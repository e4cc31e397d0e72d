package auth

// Exported for the external tests.
var (
	HashPassword   = hashPassword
	VerifyPassword = verifyPassword
)
