await import('sharp'); await import('onnxruntime-node'); await import('zod'); await import('commander'); await import('cli-progress'); await import('p-limit');
