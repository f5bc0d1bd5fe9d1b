package frontdoor

// About is about, for tests.
var About = about
