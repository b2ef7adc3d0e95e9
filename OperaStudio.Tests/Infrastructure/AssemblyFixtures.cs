using OperaStudio.Tests.Infrastructure;

// One Redis, one PostgreSQL, one Chromium and one page server for the whole run: starting them is the slow part.
[assembly: AssemblyFixture(typeof(RedisFixture))]
[assembly: AssemblyFixture(typeof(PostgresFixture))]
[assembly: AssemblyFixture(typeof(ChromiumFixture))]
[assembly: AssemblyFixture(typeof(TestPageServer))]
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
