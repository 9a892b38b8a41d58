/**
 * The parts of a UPnP device description (rootDesc.xml) LANrage needs: the control URL of the
 * WAN connection service. Read with bounded regular expressions rather than an XML library: the
 * document is small, we want two elements, and anything unexpected is simply "no service".
 *
 *   <root> … <device> … <serviceList>
 *     <service>
 *       <serviceType>urn:schemas-upnp-org:service:WANIPConnection:1</serviceType>
 *       <controlURL>/ctl/IPConn</controlURL>
 *     </service>
 */
export const WAN_SERVICE_TYPES = [
  'urn:schemas-upnp-org:service:WANIPConnection:2',
  'urn:schemas-upnp-org:service:WANIPConnection:1',
  'urn:schemas-upnp-org:service:WANPPPConnection:1',
] as const;
/** A real rootDesc.xml is a few KiB; more is not a router's description. */
export const MAX_DESCRIPTION_BYTES = 64 * 1024;

export interface WanService {
  serviceType: string;
  controlUrl: URL;
}

function element(xml: string, name: string): string | null {
  const match = new RegExp(`<${name}>\\s*([^<]{1,1024}?)\\s*</${name}>`).exec(xml);
  return match ? decodeEntities(match[1]!) : null;
}

function decodeEntities(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/**
 * The preferred WAN connection service of the description fetched from `location`; null when
 * there is none, or its control URL is not plain http on the same host (a description must not
 * send our requests to another machine).
 */
export function wanService(xml: string, location: URL): WanService | null {
  if (xml.length > MAX_DESCRIPTION_BYTES) return null;
  const services = xml.match(/<service>[\s\S]{0,4096}?<\/service>/g) ?? [];
  for (const type of WAN_SERVICE_TYPES) {
    for (const block of services) {
      if (element(block, 'serviceType') !== type) continue;
      const control = element(block, 'controlURL');
      if (!control) continue;
      let url: URL;
      try {
        url = new URL(control, location);
      } catch {
        continue;
      }
      if (url.protocol !== 'http:' || url.host !== location.host) continue;
      return { serviceType: type, controlUrl: url };
    }
  }
  return null;
}

/** The text of one SOAP answer element (e.g. NewExternalIPAddress), or null. */
export function soapValue(xml: string, name: string): string | null {
  return element(xml, name);
}
