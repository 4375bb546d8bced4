export function audit(url: string): Promise<{ id: string; name: string; status: string; reason?: string }[]>;
