using System.Net;

namespace OperaStudio.BrowserService.Security;

/// <summary>
/// Why an address is refused: its range's <see cref="Code"/> and <see cref="Description"/>, and the IPv4 address
/// it embeds when the refusal comes from one (IPv4-mapped, NAT64, 6to4).
/// </summary>
public sealed record AddressRange(string Code, string Description, IPAddress? EmbeddedIPv4 = null);
