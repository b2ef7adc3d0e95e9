using System.Runtime.Versioning;

// The bench reads /proc and drives Linux processes (signals), like the AppHost it starts.
[assembly: SupportedOSPlatform("linux")]
