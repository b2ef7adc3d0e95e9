using System.Diagnostics;
using System.Globalization;
using Npgsql;
using OperaStudio.AppHost.Hosting.Processes;

namespace OperaStudio.AppHost.Hosting.Postgres;

/// <summary>
/// A native PostgreSQL server on loopback (TCP only, password auth) whose data folder is initialised on first
/// start and reused after. When the caller is root it runs as an unprivileged account, because PostgreSQL
/// refuses to run as root. Used by the AppHost and, through the same code, by the test fixtures.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    public const string InstallHint = "Install it (sudo apt-get install -y postgresql), start a Docker engine, or set ConnectionStrings__operadb to an existing server.";
    public const string DefaultUser = "opera";

    private readonly ChildProcess _process;
    private readonly string _password;

    private PostgresServer(ChildProcess process, int port, string password, string dataDirectory)
    {
        _process = process;
        _password = password;
        Port = port;
        DataDirectory = dataDirectory;
    }

    public int Port { get; }

    public string DataDirectory { get; }

    public int ProcessId => _process.Id;

    public Task<int> Exited => _process.Exited;

    public static UnprivilegedUser? ServiceAccount() =>
        UnprivilegedUser.IsRoot ? UnprivilegedUser.Find("postgres", "nobody") : null;

    public string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = DefaultUser,
            Password = _password,
            Database = database,
        }.ConnectionString;

    public static async Task<PostgresServer> StartAsync(
        string dataDirectory, int port, string password, Action<string>? onLine = null, ProcessLedger? ledger = null,
        CancellationToken cancellationToken = default)
    {
        var installation = PostgresInstallation.Find()
            ?? throw new AppHostException($"PostgreSQL server binaries were not found. {InstallHint}");
        dataDirectory = Path.GetFullPath(dataDirectory);

        var account = ServiceAccount();
        if (UnprivilegedUser.IsRoot && account is null)
        {
            throw new AppHostException("PostgreSQL refuses to run as root and no 'postgres' or 'nobody' account exists. Create one (sudo adduser --system postgres) or run as a normal user.");
        }

        if (account is not null && !UnprivilegedUser.IsReachableByOthers(dataDirectory))
        {
            throw new AppHostException($"PostgreSQL runs as '{account.Name}', which cannot reach {dataDirectory}. Set OPERA_DATA_DIR to a folder it can reach, for example /var/tmp/opera-studio.");
        }

        await EnsureInitialisedAsync(installation, dataDirectory, password, account, onLine, cancellationToken);
        Ports.EnsureFree(port, "PostgreSQL", "Stop the other server or let the AppHost pick a port.");

        var startInfo = new ProcessStartInfo(installation.Postgres)
        {
            WorkingDirectory = "/",
            ArgumentList =
            {
                "-D", dataDirectory, "-p", port.ToString(CultureInfo.InvariantCulture),
                "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=",
                "-c", "max_connections=200",
            },
        };
        var process = ChildProcess.Start(account?.Wrap(startInfo) ?? startInfo, onLine);
        ledger?.Record("postgres", process.Id);
        var server = new PostgresServer(process, port, password, dataDirectory);
        try
        {
            await server.WaitUntilReadyAsync(TimeSpan.FromSeconds(60), cancellationToken);
            return server;
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>Creates the database if it does not exist yet.</summary>
    public Task EnsureDatabaseAsync(string database, CancellationToken cancellationToken = default) =>
        EnsureDatabaseAsync(ConnectionString("postgres"), database, cancellationToken);

    /// <summary>Creates <paramref name="database"/> through an administrative connection if it does not exist yet.</summary>
    public static async Task EnsureDatabaseAsync(string adminConnectionString, string database, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection);
        exists.Parameters.AddWithValue("name", database);
        if (await exists.ExecuteScalarAsync(cancellationToken) is null)
        {
            var quoted = "\"" + database.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
#pragma warning disable CA2100 // an identifier cannot be a parameter; it is quoted above
            await using var create = new NpgsqlCommand($"CREATE DATABASE {quoted}", connection);
#pragma warning restore CA2100
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    public static async Task<bool> PingAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString) { Timeout = 3, Pooling = false };
            await using var connection = new NpgsqlConnection(builder.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>SIGINT is PostgreSQL's "fast" shutdown: roll back open transactions, checkpoint, exit.</summary>
    public Task StopAsync() => _process.StopAsync(PosixSignals.SigInt, TimeSpan.FromSeconds(20));

    public ValueTask DisposeAsync() => new(StopAsync());

    private static async Task EnsureInitialisedAsync(
        PostgresInstallation installation, string dataDirectory, string password, UnprivilegedUser? account,
        Action<string>? onLine, CancellationToken cancellationToken)
    {
        var versionFile = Path.Combine(dataDirectory, "PG_VERSION");
        if (File.Exists(versionFile))
        {
            var text = (await File.ReadAllTextAsync(versionFile, cancellationToken)).Trim();
            if (!int.TryParse(text, CultureInfo.InvariantCulture, out var version) || version != installation.MajorVersion)
            {
                throw new AppHostException(
                    $"The PostgreSQL data folder {dataDirectory} was made by PostgreSQL {text}, but this machine has PostgreSQL {installation.MajorVersion}. " +
                    "Move that folder away (or upgrade it with pg_upgrade) and start again.");
            }

            if (account is not null)
            {
                await account.TakeOwnershipAsync(dataDirectory);
            }

            return;
        }

        if (Directory.Exists(dataDirectory) && Directory.EnumerateFileSystemEntries(dataDirectory).Any())
        {
            throw new AppHostException($"{dataDirectory} is not empty and is not a PostgreSQL data folder. Move it away and start again.");
        }

        Directory.CreateDirectory(dataDirectory);
        File.SetUnixFileMode(dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var passwordFile = Path.Combine(Path.GetTempPath(), $"opera-pg-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(passwordFile, password, cancellationToken);
        File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        try
        {
            if (account is not null)
            {
                await account.TakeOwnershipAsync(dataDirectory);
                await account.TakeOwnershipAsync(passwordFile);
            }

            onLine?.Invoke($"initialising a new PostgreSQL {installation.MajorVersion} data folder in {dataDirectory}");
            var startInfo = new ProcessStartInfo(installation.InitDb)
            {
                WorkingDirectory = "/",
                ArgumentList =
                {
                    "-D", dataDirectory, "-U", DefaultUser, "--pwfile", passwordFile,
                    "--auth-host=scram-sha-256", "--auth-local=scram-sha-256", "-E", "UTF8", "--no-locale",
                },
            };
            await using var initdb = ChildProcess.Start(account?.Wrap(startInfo) ?? startInfo);
            var exitCode = await initdb.Exited.WaitAsync(TimeSpan.FromMinutes(2), cancellationToken);
            if (exitCode != 0)
            {
                throw new AppHostException($"initdb failed with exit code {exitCode} for {dataDirectory}.", initdb.RecentOutput());
            }
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }

    private async Task WaitUntilReadyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                var output = _process.RecentOutput();
                var hint = output.FirstOrDefault(line => line.Contains("lock file", StringComparison.Ordinal)) is { } lockLine
                    ? $" The data folder is in use by another PostgreSQL ({lockLine.Trim()})."
                    : "";
                throw new AppHostException($"PostgreSQL exited with code {await _process.Exited} during start.{hint}", output);
            }

            try
            {
                await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString("postgres")) { Timeout = 2, Pooling = false }.ConnectionString);
                await connection.OpenAsync(cancellationToken);
                return;
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InvalidPassword)
            {
                throw new AppHostException(
                    $"PostgreSQL in {DataDirectory} rejected the password for user '{DefaultUser}'. The saved password does not match this data folder; move the folder away to start fresh.");
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                await Task.Delay(200, cancellationToken);
            }
        }

        throw new AppHostException($"PostgreSQL did not accept connections within {timeout.TotalSeconds:0} s.", _process.RecentOutput());
    }
}
