using OperaStudio.Tests.Infrastructure;

// One Redis and PostgreSQL, one Chromium and one page server for the whole run: starting them is the slow part.
[assembly: AssemblyFixture(typeof(DataStoresFixture))]
[assembly: AssemblyFixture(typeof(ChromiumFixture))]
[assembly: AssemblyFixture(typeof(TestPageServer))]
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
