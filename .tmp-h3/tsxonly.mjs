const { register } = await import('tsx/esm/api'); register();
