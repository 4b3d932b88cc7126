FROM node:18-alpine

# Create non-root user
RUN addgroup -g 1000 appgroup && \
    adduser -D -u 1000 -G appgroup appuser

# Set up application directory
WORKDIR /app
COPY package*.json ./
RUN npm ci --only=production

# Copy application files
COPY --chown=appuser:appgroup . .

# Switch to non-root user
USER appuser

# Expose port
EXPOSE 3000

CMD ["node", "server.js"]
