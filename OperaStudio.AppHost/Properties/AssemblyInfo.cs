using System.Runtime.Versioning;

// The AppHost drives Linux processes (signals, /proc, setpriv); it runs where the product runs.
[assembly: SupportedOSPlatform("linux")]
